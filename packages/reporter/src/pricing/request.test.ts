import { describe, expect, it } from 'vitest';
import { PriceList } from '../claude/pricing.js';
import { codexPrices } from '../codex/prices.js';
import { AUTO_REVIEW } from '../codex/rollout.js';
import { geminiPrices } from '../gemini/prices.js';
import { CODEX_MODELS } from '../testing/codex-rollouts.js';
import { GEMINI_MODELS } from '../testing/gemini-chats.js';
import { MAX_MATCHED_MODEL_CHARS, MAX_MATCHED_MODELS, type MatchCache } from './match.js';

const codex = codexPrices();
const gemini = geminiPrices();
const t = (input: number, cached: number, output: number) => ({ input, cached, output });
const ZERO = { input: 0, output: 0, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, fast: false };

describe('RequestPriceList (LiteLLM subsets for Codex and Gemini)', () => {
  it('says where and when its prices come from', () => {
    for (const list of [codex, gemini]) {
      expect(list.source.repository).toContain('BerriAI/litellm');
      expect(list.source.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(list.source.retrieved).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it('prices a long request whole at the long-context rates, past 272k (OpenAI) or 200k (Google) prompt tokens, cached included', () => {
    // gpt-5.4: $2.50 / $0.25 / $15 per million, past 272k $5 / $0.50 / $22.50.
    expect(codex.cost('gpt-5.4', t(172_000, 100_000, 1000))).toBeCloseTo(0.43 + 0.025 + 0.015, 9);
    expect(codex.cost('gpt-5.4', t(172_001, 100_000, 1000))).toBeCloseTo(172_001 * 5e-6 + 0.05 + 0.0225, 9);
    // gemini-2.5-pro: $1.25 / $0.125 / $10, past 200k $2.50 / $0.25 / $15.
    expect(gemini.cost('gemini-2.5-pro', t(0, 200_001, 0))).toBeCloseTo(200_001 * 2.5e-7, 12);
    expect(gemini.cost('gemini-2.5-pro', t(200_000, 0, 1000))).toBeCloseTo(0.25 + 0.01, 12);
    // A model without long-context rates keeps its rates.
    expect(codex.cost('gpt-5-codex', t(300_000, 0, 0))).toBeCloseTo(0.375, 12);
  });

  it('multiplies priority-tier requests by the model multiplier, and leaves models without one alone', () => {
    expect(codex.cost('gpt-5.5', t(1000, 0, 0), true)).toBeCloseTo(codex.cost('gpt-5.5', t(1000, 0, 0)) * 2.5, 12);
    expect(codex.cost('gpt-5', t(1000, 0, 0), true)).toBeCloseTo(codex.cost('gpt-5', t(1000, 0, 0)), 12);
  });

  it("finds models as ccusage does: exact, `.` as `-`, a whole contained name; Gemini's provider prefixes first", () => {
    expect(codex.find('gpt-5.4-mini')).not.toBe(codex.find('gpt-5.4'));
    // openai/gpt-5.2-codex is found as the longer openrouter/openai/gpt-5.2-codex, as in ccusage: the same rates but
    // cache writes (1.25 × input there; gpt-5.2-codex lists them at 1 × input).
    expect(codex.find('openai/gpt-5.2-codex')).toBe(codex.find('openrouter/openai/gpt-5.2-codex'));
    expect(codex.find('openai/gpt-5.2-codex')).toEqual({ ...codex.find('gpt-5.2-codex'), cacheWrite: undefined });
    // A dated name is its model (LiteLLM lists gpt-5-2025-08-07); gpt-5-nano is not gpt-5.
    expect(codex.find('gpt-5-2025-08-07')).toEqual(codex.find('gpt-5'));
    expect(codex.find('gpt-5-nano')?.input).toBe(5e-8);
    expect(codex.find('gpt-5-4')).toBe(codex.find('gpt-5.4'));
    // Not another version: gpt-5 must not price gpt-5.9.
    expect(codex.find('gpt-5.9')).toBeUndefined();
    expect(codex.cost('codex-unknown', t(10, 0, 10))).toBe(0);
    // gemini-2.5-flash is `gemini/gemini-2.5-flash`, not the longer `gemini/gemini-2.5-flash-lite` that contains it.
    expect(gemini.find('gemini-2.5-flash')?.input).toBe(3e-7);
    expect(gemini.find('gemini-2.5-flash-lite')?.input).toBe(1e-7);
  });

  it('has a price for every model the sources can name on their own and every model the generators use', () => {
    // A model missing here would cost 0 without a word (as in ccusage): the fallbacks must never be.
    for (const model of ['gpt-5', ...AUTO_REVIEW.map(([, m]) => m), ...CODEX_MODELS])
      expect([model, codex.find(model)]).not.toContainEqual(undefined);
    for (const model of GEMINI_MODELS) expect([model, gemini.find(model)]).not.toContainEqual(undefined);
  });

  it('never remembers a name past MAX_MATCHED_MODEL_CHARS (4,096 of a megabyte each would be 4 GB), and still looks it up', () => {
    const size = (list: object) => (list as { cache: MatchCache<unknown> }).cache.size;
    const lists = [codexPrices(), geminiPrices(), PriceList.load()];
    for (const list of lists) {
      expect(list.find(`gpt-5-${'x'.repeat(MAX_MATCHED_MODEL_CHARS)}`)).toBeUndefined();
      expect(size(list)).toBe(0);
      list.find(`gpt-5-${'x'.repeat(MAX_MATCHED_MODEL_CHARS - 6)}`);
      expect(size(list)).toBe(1);
    }
  });

  it('remembers at most MAX_MATCHED_MODELS model names (they come from transcripts), and still prices every one right', () => {
    const claude = PriceList.load();
    const openai = codexPrices();
    const lists = [openai, geminiPrices(), claude];
    const before = [openai.cost('gpt-5.4', t(1000, 0, 0)), claude.cost('claude-sonnet-4-5', { ...ZERO, input: 1000 })];
    for (let i = 0; i < MAX_MATCHED_MODELS + 500; i++) {
      for (const list of lists) expect(list.find(`made-up-model-${i}`)).toBeUndefined();
    }
    for (const list of lists) {
      expect((list as unknown as { cache: MatchCache<unknown> }).cache.size).toBe(MAX_MATCHED_MODELS);
    }
    // Names asked before the flood, forgotten since, are looked up again with the same answers.
    expect(before[0]).toBeGreaterThan(0);
    expect([openai.cost('gpt-5.4', t(1000, 0, 0)), claude.cost('claude-sonnet-4-5', { ...ZERO, input: 1000 })]).toEqual(before);
  });
});
