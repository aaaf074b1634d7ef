import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, scanJson } from './json-depth.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const TOO_DEEP = `JSON nested at most ${MAX_JSON_DEPTH} lists and objects deep`;

describe('scanJson', () => {
  it('takes MAX_JSON_DEPTH lists and objects open at once and refuses one more, naming body', () => {
    expect(() => scanJson(bytes(deep(MAX_JSON_DEPTH)))).not.toThrow();
    expect(() => scanJson(bytes(deep(MAX_JSON_DEPTH + 1)))).toThrow(TOO_DEEP);
    expect(() => scanJson(bytes(`{"a":${deep(MAX_JSON_DEPTH)}}`))).toThrow(expect.objectContaining({ path: 'body' }));
  });

  it('counts no bracket inside a string, whatever escapes precede its closing quote', () => {
    for (const s of ['[', '\\"[', '\\\\', '\\\\\\"[{', 'é😀[', '\\u005b']) {
      const text = `{"k":"${s}","${s}":${deep(MAX_JSON_DEPTH - 1)}}`;
      expect(JSON.parse(text)).toBeTruthy();
      expect(() => scanJson(bytes(text)), s).not.toThrow();
    }
    // A string ending in an escaped backslash is closed: the brackets after it count.
    expect(() => scanJson(bytes(`{"k":"\\\\",${'"x":'}${deep(MAX_JSON_DEPTH)}}`))).toThrow(TOO_DEEP);
  });

  it('returns lists, objects and commas plus one', () => {
    expect(scanJson(bytes('[1,2,{"a":"x,y"}]'))).toBe(1 + 2 + 2);
    expect(scanJson(bytes('"unterminated ['))).toBe(1);
  });
});
