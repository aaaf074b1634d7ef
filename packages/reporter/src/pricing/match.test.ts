import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import CLAUDE from '../claude/more-prices.json' with { type: 'json' };
import CLAUDE_MAIN from '../claude/prices.json' with { type: 'json' };
import CODEX from '../codex/prices.json' with { type: 'json' };
import GEMINI from '../gemini/prices.json' with { type: 'json' };
import { MAX_MATCHED_MODEL_CHARS, ModelTable } from './match.js';
import MODELS_DEV from './models-dev.json' with { type: 'json' };

/** The lookup as it was before ModelTable (every listed name looked at for every model name): the reference. */
function walkEveryKey<T>(prices: ReadonlyMap<string, T>, model: string): T | undefined {
  const isAlnum = (c: string | undefined) => c !== undefined && /[A-Za-z0-9]/.test(c);
  const contains = (text: string, key: string): boolean => {
    for (let i = text.indexOf(key); i >= 0; i = text.indexOf(key, i + 1)) {
      if (isAlnum(text[i - 1])) continue;
      const rest = text.slice(i + key.length);
      if (rest === '') return true;
      if (isAlnum(rest[0])) continue;
      const version = /^[-.](\d+)([^A-Za-z0-9]|$)/.exec(rest);
      if (version && /\d$/.test(key) && (version[1] as string).length !== 8) continue;
      return true;
    }
    return false;
  };
  const exact = prices.get(model);
  if (exact) return exact;
  const normalized = model.replace(/[.@]/g, '-');
  let best: string | undefined;
  for (const key of prices.keys()) {
    const k = key.replace(/[.@]/g, '-');
    if (k === normalized) return prices.get(key);
    if (!contains(normalized, k) && !contains(k, normalized)) continue;
    if (best === undefined || key.length > best.length || (key.length === best.length && key < best)) best = key;
  }
  return best === undefined ? undefined : prices.get(best);
}

/** Each shipped list as a table of its names (the value: the name, so a test sees which one matched). */
const LISTS = Object.entries({
  claude: Object.keys(CLAUDE_MAIN.models),
  claudeMore: Object.keys(CLAUDE.models),
  codex: Object.keys(CODEX.models),
  gemini: Object.keys(GEMINI.models),
  modelsDev: Object.entries(MODELS_DEV.models as Record<string, { x?: number }>)
    .filter(([, m]) => !m.x)
    .map(([name]) => name),
}).map(([name, keys]) => ({ name, prices: new Map(keys.map((k) => [k, k])) }));

describe('ModelTable: ccusage model lookup over a price list, looking only at the names that can match', () => {
  const tables = LISTS.map((l) => ({ ...l, table: new ModelTable(l.prices) }));
  const allKeys = LISTS.flatMap((l) => [...l.prices.keys()]);

  it('finds what walking every listed name finds, for listed names and names made of them', () => {
    const pieces = ['-', '.', '/', '-20250514', '-5', '.9', 'x', '-123456789'];
    const names = new Set<string>();
    // Every 11th listed name of each list (the reference walks every list whole for each name).
    for (const key of allKeys.filter((_, i) => i % 11 === 0)) {
      names.add(key);
      for (const p of pieces) {
        names.add(`${key}${p}`);
        names.add(`${p}${key}`);
      }
      names.add(key.slice(0, Math.ceil(key.length / 2)));
      names.add(key.slice(Math.floor(key.length / 2)));
    }
    for (const { name, prices, table } of tables) {
      for (const model of names) expect(table.match(model), `${name}: ${model}`).toBe(walkEveryKey(prices, model));
    }
  });

  it('finds what walking every listed name finds, for names assembled from pieces of listed names', () => {
    const fragments = allKeys.flatMap((k) => k.split(/(?=[-./@:_])/));
    const name = fc
      .array(
        fc.oneof(
          fc.constantFrom(...fragments),
          fc.constantFrom(...allKeys),
          fc.constantFrom('-', '.', '@', '/', ' ', '--', '-1', '8'),
        ),
        { minLength: 1, maxLength: 5 },
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(name, (model) => {
        for (const { prices, table } of tables) expect(table.match(model), model).toBe(walkEveryKey(prices, model));
      }),
      { seed: 20261206, numRuns: 3000 },
    );
  });

  it('compares a made-up name with a few listed names, not with every one (4,400 per lookup, five lookups a Gemini name)', () => {
    for (const { name, prices, table } of tables) {
      const before = table.compared;
      for (let i = 0; i < 100; i++) expect(table.match(`made-up-${i}-${'x'.repeat(200)}`), name).toBeUndefined();
      // Each name shares its runs (made, up, xxx…) with few listed names; every listed name was compared before.
      expect((table.compared - before) / 100, name).toBeLessThan(Math.min(50, prices.size / 10));
    }
  });

  it(`matches a name longer than ${MAX_MATCHED_MODEL_CHARS} characters by its exact name only`, () => {
    const { table } = tables.find((t) => t.name === 'codex') as (typeof tables)[number];
    const at = `gpt-5-${'x'.repeat(MAX_MATCHED_MODEL_CHARS - 'gpt-5-'.length)}`;
    expect(table.match(at)).toBe('gpt-5');
    expect(table.match(`${at}x`)).toBeUndefined();
  });
});
