import { describe, expect, it } from 'vitest';
import { timeAxisSpace } from './x-axis.js';

const widths = { seconds: 54.4, other: 40.2 };

describe('the time axis spacing', () => {
  it('spaces ticks that will carry seconds by the widest such label and a gap', () => {
    // Two minutes over 1,000 px: ticks of 5-10 s, labelled "07:51:30".
    expect(timeAxisSpace(120, 1000, widths)).toBe(67);
  });

  it('spaces minute and day ticks by the narrower labels, never under uPlot’s 50 px', () => {
    expect(timeAxisSpace(3600, 1000, widths)).toBe(53);
    expect(timeAxisSpace(3600, 1000, { seconds: 54, other: 30 })).toBe(50);
  });

  it('uses the wider space where the narrower one would lead to ticks under a minute', () => {
    // 1,000 s over 1,000 px: 53 px is 53 s (a 30 s tick, with seconds); 67 px is 67 s (a minute tick).
    expect(timeAxisSpace(1000, 1000, widths)).toBe(67);
    expect(timeAxisSpace(1200, 1000, widths)).toBe(53);
  });

  it('takes the wider space for an empty range or plot', () => {
    expect(timeAxisSpace(0, 1000, widths)).toBe(67);
    expect(timeAxisSpace(60, 0, widths)).toBe(67);
  });
});
