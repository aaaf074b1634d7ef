import { describe, expect, it } from 'vitest';
import { beadCostChart } from './bead-chart.js';

describe('beadCostChart', () => {
  it('uses the server step, spans to the end of the last bucket, and keeps gaps', () => {
    expect(beadCostChart({ step: 60_000, t: [0, 60_000, 120_000], cost: [5, null, 7] })).toEqual({
      step: 60_000,
      from: 0,
      to: 180_000,
      data: [
        [0, 60, 120],
        [5, null, 7],
      ],
    });
  });
  it('takes the smallest gap as the step when none is given', () => {
    expect(beadCostChart({ t: [0, 300_000, 360_000], cost: [1, 2, 3] })?.step).toBe(60_000);
    expect(beadCostChart({ t: [1_000_000], cost: [4] })).toMatchObject({ step: 60_000, from: 1_000_000, to: 1_060_000 });
  });
  it('has nothing to draw without buckets', () => {
    expect(beadCostChart({ t: [], cost: [] })).toBeNull();
  });
});
