import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type PriceFile, PriceList, type TokenCounts } from './pricing.js';

const prices = PriceList.load();
const zero: TokenCounts = { input: 0, output: 0, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, fast: false };
const usd = (model: string, t: Partial<TokenCounts>) => prices.cost(model, { ...zero, ...t });

describe('PriceList (LiteLLM subset)', () => {
  it('says where and when its prices come from', () => {
    expect(prices.source.repository).toContain('BerriAI/litellm');
    expect(prices.source.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(prices.source.retrieved).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('prices input, output, cache reads and 5-minute and 1-hour cache writes', () => {
    // 100k tokens of each kind: below the 200k long-context threshold.
    const T = 100_000;
    expect(usd('claude-sonnet-4-5-20250929', { input: T })).toBeCloseTo(0.3, 9);
    expect(usd('claude-sonnet-4-5-20250929', { output: T })).toBeCloseTo(1.5, 9);
    expect(usd('claude-sonnet-4-5-20250929', { cacheRead: T })).toBeCloseTo(0.03, 9);
    expect(usd('claude-sonnet-4-5-20250929', { cacheWrite5m: T })).toBeCloseTo(0.375, 9);
    // 1-hour writes cost twice the base input rate.
    expect(usd('claude-sonnet-4-5-20250929', { cacheWrite1h: T })).toBeCloseTo(0.6, 9);
    expect(usd('claude-opus-4-6', { cacheWrite1h: T })).toBeCloseTo(1, 9);
  });

  it('applies long-context rates to the tokens past 200k, per token kind, where the model has them', () => {
    // 200k at $3 + 50k at $6 per MTok.
    expect(usd('claude-sonnet-4-5', { input: 250_000 })).toBeCloseTo(0.6 + 0.3, 9);
    expect(usd('claude-sonnet-4-5', { cacheRead: 300_000 })).toBeCloseTo(0.06 + 0.06, 9);
    expect(usd('claude-sonnet-4-5', { cacheWrite1h: 300_000 })).toBeCloseTo(1.2 + 1.2, 9);
    expect(usd('claude-sonnet-4-5', { output: 200_000 })).toBeCloseTo(3, 9);
    // claude-sonnet-4-6 has one rate at any length in this list.
    expect(usd('claude-sonnet-4-6', { input: 250_000 })).toBeCloseTo(0.75, 9);
  });

  it('multiplies fast-mode responses by the model fast multiplier', () => {
    expect(usd('claude-opus-4-6', { output: 1000, fast: true })).toBeCloseTo(usd('claude-opus-4-6', { output: 1000 }) * 6, 12);
    expect(usd('claude-sonnet-4-5', { output: 1000, fast: true })).toBeCloseTo(usd('claude-sonnet-4-5', { output: 1000 }), 12);
  });

  it('finds models by exact name, separator variants, provider prefixes and date suffixes, but not across versions', () => {
    const sonnet45 = prices.find('claude-sonnet-4-5');
    expect(prices.find('claude-sonnet-4.5')).toBe(sonnet45);
    expect(prices.find('anthropic/claude-sonnet-4-5')).toBe(sonnet45);
    expect(prices.find('claude-opus-4-6-20990101')).toBe(prices.find('claude-opus-4-6'));
    // claude-opus-4 must not price as claude-opus-4-5 or 4-6.
    expect(prices.find('claude-opus-4-9')).toBeUndefined();
    expect(prices.find('<synthetic>')).toBeUndefined();
    expect(usd('<synthetic>', { output: 10 })).toBe(0);
  });

  it("ships LiteLLM's 1-hour write field, equal to twice the input rate except for two claude-3 entries", () => {
    const file = JSON.parse(readFileSync(new URL('./prices.json', import.meta.url), 'utf8')) as PriceFile & {
      models: Record<string, { cache_creation_input_token_cost_above_1hr?: number }>;
    };
    const disagree = Object.entries(file.models)
      .filter(([, p]) => p.cache_creation_input_token_cost_above_1hr !== undefined)
      .filter(([, p]) => Math.abs((p.cache_creation_input_token_cost_above_1hr as number) - 2 * p.input_cost_per_token) > 1e-12)
      .map(([m]) => m);
    expect(disagree.sort()).toEqual(['claude-3-haiku-20240307', 'claude-3-opus-20240229']);
  });
});
