import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseUsd, usdText } from './usd-input.js';

describe('dollars as typed in a form', () => {
  it('parses plain amounts exactly, to the microdollar', () => {
    expect(parseUsd('5')).toBe(5_000_000);
    expect(parseUsd(' $0.25 ')).toBe(250_000);
    expect(parseUsd('1234.123456')).toBe(1_234_123_456);
    expect(parseUsd('0.000001')).toBe(1);
    for (const bad of ['', '-1', '1e3', '0.1234567', '1,5', 'NaN', '1.', '.5', '9999999999']) expect(parseUsd(bad)).toBeNull();
  });
  it('writes back what it parses', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999_999_999 }), (micro) => {
        expect(parseUsd(usdText(micro))).toBe(micro);
      }),
    );
  });
  it('writes a negative amount with one minus sign in front (once "-2.-5")', () => {
    expect(usdText(-1_500_000)).toBe('-1.5');
    expect(usdText(-1)).toBe('-0.000001');
  });
});
