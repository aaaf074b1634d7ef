import { describe, expect, it } from 'vitest';
import { tooltipLeft } from './tooltip.js';

describe('tooltipLeft', () => {
  const wide = { plotLeft: 100, width: 1280 };
  it('puts the tooltip right of the cursor in the left half, left of it in the right half', () => {
    expect(tooltipLeft(100, 160, 800, wide)).toBe(112);
    expect(tooltipLeft(700, 160, 800, wide)).toBe(700 - 12 - 160);
  });

  it('takes the other side when its own runs off the screen', () => {
    // A phone: the plot starts 85 px in and is 255 px wide; a tooltip of 180 px right of a cursor at 120 ends at 417.
    expect(tooltipLeft(120, 180, 255, { plotLeft: 85, width: 390 })).toBe(120 - 12 - 180);
  });

  it('keeps a tooltip that fits on neither side on the screen, as near its side as it can', () => {
    const phone = { plotLeft: 85, width: 390 };
    const x = tooltipLeft(10, 340, 255, phone);
    expect(x + phone.plotLeft).toBeGreaterThanOrEqual(8);
    expect(x + phone.plotLeft + 340).toBeLessThanOrEqual(390 - 8);
    expect(x).toBe(390 - 8 - 85 - 340);
  });
});
