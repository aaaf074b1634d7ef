import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countJsonValues, MAX_JSON_VALUES, parseJson } from './json.js';

/** Objects, arrays and commas a value's JSON holds, plus one: what countJsonValues counts, from the value. */
function expected(v: unknown): number {
  const inner = (x: unknown): number => {
    if (Array.isArray(x)) return 1 + Math.max(0, x.length - 1) + x.reduce((n: number, e) => n + inner(e), 0);
    if (x !== null && typeof x === 'object') {
      const values = Object.values(x);
      return 1 + Math.max(0, values.length - 1) + values.reduce((n: number, e) => n + inner(e), 0);
    }
    return 0;
  };
  return 1 + inner(v);
}

describe('parseJson', () => {
  it('counts the values of any JSON text outside its strings (quotes, backslashes, commas and brackets in strings too)', () => {
    const text = fc.string({ unit: fc.constantFrom('"', '\\', ',', '[', '{', '}', ']', 'a', '\u00e9', '\ud83d\ude00') });
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6, stringUnit: 'grapheme' }), fc.array(text), (value, strings) => {
        const v = [value, ...strings];
        expect(countJsonValues(JSON.stringify(v))).toBe(expected(v));
      }),
      { numRuns: 500, seed: 7 },
    );
  });

  it('refuses a text past MAX_JSON_VALUES without parsing it, nested or wide, and reads one at the bound', () => {
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    expect(parseJson(deep(MAX_JSON_VALUES - 1))?.value).toBeInstanceOf(Array);
    expect(parseJson(deep(MAX_JSON_VALUES))).toBeUndefined();
    const wide = (n: number) => `{${Array.from({ length: n }, (_, i) => `"${i}":{}`).join(',')}}`;
    expect(countJsonValues(wide(MAX_JSON_VALUES / 2))).toBe(MAX_JSON_VALUES + 1);
    expect(parseJson(wide(MAX_JSON_VALUES / 2))).toBeUndefined();
    // A long text of few values (a transcript line of a big tool output) is read.
    const long = JSON.stringify({ type: 'x', text: '[{,'.repeat(MAX_JSON_VALUES) });
    expect(parseJson(long)?.value).toMatchObject({ type: 'x' });
  });
});
