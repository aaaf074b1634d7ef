import { describe, expect, it } from 'vitest';
import { arcDash, fittedFontPx, hollowHalfWidth } from './gauge-fit.js';

describe('gauge number fit', () => {
  it("gives a line the half-width of the dial's hollow at its height, narrower the higher it is", () => {
    // A 120 px dial: one px a unit, the centre 58 px down, 42 px of room (45 less 3 of clearance).
    expect(hollowHalfWidth(120, 0, 58)).toBe(42);
    expect(hollowHalfWidth(120, 0, 70)).toBe(42);
    expect(hollowHalfWidth(120, 0, 58 - 42)).toBe(0);
    expect(hollowHalfWidth(120, 100, 100 + 58 - 25)).toBeCloseTo(Math.sqrt(42 ** 2 - 25 ** 2));
    expect(hollowHalfWidth(120, 0, 40)).toBeGreaterThan(hollowHalfWidth(120, 0, 30));
  });

  it('keeps a text that fits, and shrinks one that does not below the exact ratio, never under 9 px', () => {
    expect(fittedFontPx(20, 40, 40)).toBeNull();
    const px = fittedFontPx(20, 50, 40);
    expect(px).toBeLessThan(16);
    expect(px).toBeGreaterThan(15);
    expect(fittedFontPx(20, 500, 40)).toBe(9);
  });
});

describe('gauge arc', () => {
  it('draws one dash for the fraction: the pattern never starts again within the path (length 100)', () => {
    for (const fraction of [0, 6.7e-6, 0.001, 0.5, 1]) {
      const [dash, gap] = arcDash(fraction).split(' ').map(Number) as [number, number];
      expect(dash).toBeCloseTo(fraction * 100);
      // The second dash would start at dash + gap: past the path's end by more than any rounding.
      expect(dash + gap).toBeGreaterThanOrEqual(150);
    }
  });
});
