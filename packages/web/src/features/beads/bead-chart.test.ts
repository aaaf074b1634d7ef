import { describe, expect, it } from 'vitest';
import { beadCostChart } from './bead-chart.js';

describe('beadCostChart', () => {
  it('spans to the end of the last bucket, in seconds for uPlot, and keeps gaps', () => {
    expect(beadCostChart({ step: 60_000, t: [0, 60_000, 120_000], cost: [5, null, 7] })).toEqual({
      from: 0,
      to: 180_000,
      data: [
        [0, 60, 120],
        [5, null, 7],
      ],
    });
  });
  it('has nothing to draw without buckets', () => {
    expect(beadCostChart({ step: 60_000, t: [], cost: [] })).toBeNull();
  });
  it('has nothing to draw when no bucket cost anything', () => {
    expect(beadCostChart({ step: 5_000, t: [0, 5_000, 10_000], cost: [0, null, 0] })).toBeNull();
  });
});
