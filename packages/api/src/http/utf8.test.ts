import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { refuseLoneSurrogates, refuseLoneSurrogatesInJson } from './utf8.js';

/** Pieces of JSON string content: plain text, pairs and halves, raw and escaped, and escaped backslashes. */
const PIECES = [
  'a',
  'é',
  '😀',
  '\\ud83d\\ude00',
  '\\ud800',
  '\\uDC00',
  '\\uDbff',
  '\\\\ud800',
  '\\u0041',
  '\ud800',
  '\udfff',
  '\\n',
];

const verdict = (f: () => void): string | null => {
  try {
    f();
    return null;
  } catch (err) {
    return (err as Error).message;
  }
};

describe('lone surrogates in JSON text', () => {
  it('are refused exactly as the full walk refuses them, whatever the text', () => {
    const content = fc.array(fc.constantFrom(...PIECES), { maxLength: 6 }).map((p) => p.join(''));
    fc.assert(
      fc.property(content, content, (key, value) => {
        const text = `{"records":[{"id":"x"},{"${key}":["${value}"]}]}`;
        const parsed: unknown = JSON.parse(text);
        expect(verdict(() => refuseLoneSurrogatesInJson(text, parsed))).toBe(verdict(() => refuseLoneSurrogates(parsed)));
      }),
      { numRuns: 2000 },
    );
  });

  it('name where, for escaped and raw halves alike', () => {
    for (const half of ['\\ud800', '\\udfff', '\ud800']) {
      const text = `{"records":[{"id":"x${half}"}]}`;
      expect(verdict(() => refuseLoneSurrogatesInJson(text, JSON.parse(text)))).toMatch(
        /^records\[0\]\.id: a lone UTF-16 surrogate/,
      );
    }
  });
});

describe('the walk over a parsed value', () => {
  it('names a lone surrogate 300,000 levels deep in time linear in the depth', () => {
    // Its path was built a level at a time with unshift: 300,000 levels took seconds, 500,000 over 30 s.
    let value: unknown = '\ud800';
    for (let i = 0; i < 300_000; i++) value = [value];
    const started = performance.now();
    expect(verdict(() => refuseLoneSurrogates({ a: value }))).toMatch(/^a\[0\]\[0\]/);
    expect(performance.now() - started).toBeLessThan(1_500);
  });
});
