import { describe, expect, it } from 'vitest';
import { dataStartsLate, isolatedIndices, toAligned } from './columns.js';

const cols = { step: 10_000, t: [1_000_000, 1_010_000, 1_020_000] };
const input = [null, 500, 0];
const working = [2, null, 3.5];
const cost = [0, 1000, 10];

describe('toAligned', () => {
  it('is columnar: x in seconds, one array per series, gaps kept as null', () => {
    const data = toAligned(cols, [
      { values: input, transform: 'perSecond' },
      { values: working, transform: 'value' },
      { values: cost, transform: 'perHour' },
    ]);
    expect(data).toEqual([
      [1000, 1010, 1020],
      [null, 50, 0],
      [2, null, 3.5],
      [0, 360_000, 3600],
    ]);
  });

  it('makes a series the server did not send all gaps, not zeros', () => {
    expect(toAligned(cols, [{ values: undefined, transform: 'perSecond' }])[1]).toEqual([null, null, null]);
  });

  it('shows the bucket still in progress as the rate over the last step, neither dipping nor spiking', () => {
    // asOf 7.5 s into the last bucket: its 10 plus the last quarter of the bucket before (1000 / 4) over 10 s.
    const data = toAligned(cols, [{ values: cost, transform: 'perSecond' }], 1_027_500);
    expect(data[1]).toEqual([0, 100, (10 + 250) / 10]);
    // A steady rate stays level at the live edge, however long the last bucket has been open.
    const steady = { step: 10_000, t: [0, 10_000, 20_000] };
    for (const asOf of [20_001, 22_500, 25_000, 29_999]) {
      const soFar = (asOf - 20_000) / 1000;
      expect(toAligned(steady, [{ values: [10, 10, soFar], transform: 'perSecond' }], asOf)[1]?.[2]).toBeCloseTo(1, 9);
    }
    // One bead a moment into an hour bucket after a quiet hour: 1 an hour, not thousands.
    const hours = { step: 3_600_000, t: [0, 3_600_000] };
    expect(toAligned(hours, [{ values: [0, 1], transform: 'perHour' }], 3_601_000)[1]?.[1]).toBe(1);
  });

  it('takes nothing from a bucket before the last that is a gap or not adjacent', () => {
    const gapped = { step: 10_000, t: [0, 20_000] };
    expect(toAligned(gapped, [{ values: [100, 5], transform: 'perSecond' }], 25_000)[1]).toEqual([10, 0.5]);
    expect(toAligned(cols, [{ values: [null, null, 5], transform: 'perSecond' }], 1_025_000)[1]).toEqual([null, null, 0.5]);
    // A finished last bucket (or a clock behind the server's) is divided by its step as any other.
    expect(toAligned(cols, [{ values: cost, transform: 'perSecond' }], 1_030_000)[1]).toEqual([0, 100, 1]);
    expect(toAligned(cols, [{ values: cost, transform: 'perSecond' }], 1_019_000)[1]).toEqual([0, 100, 1]);
  });
});

describe('isolatedIndices', () => {
  it('finds the values a line cannot draw', () => {
    expect(isolatedIndices([1, null, 2, 3, null, 4])).toEqual([0, 5]);
    expect(isolatedIndices([null, 0, null])).toEqual([1]);
    expect(isolatedIndices([1, 2, 3])).toBeNull();
    expect(isolatedIndices([])).toBeNull();
  });
});

describe('dataStartsLate', () => {
  it('finds the first bucket with any value when earlier buckets have none', () => {
    expect(
      dataStartsLate([
        [0, 1, 2, 3],
        [null, null, 0, 1],
        [null, null, null, 2],
      ]),
    ).toBe(2);
    expect(
      dataStartsLate([
        [0, 1, 2],
        [null, 5, null],
        [null, null, 7],
      ]),
    ).toBe(1);
  });
  it('is null when the data starts at the first bucket, or there is none', () => {
    expect(
      dataStartsLate([
        [0, 1],
        [0, null],
      ]),
    ).toBeNull();
    expect(
      dataStartsLate([
        [0, 1],
        [null, null],
      ]),
    ).toBeNull();
    expect(dataStartsLate([[]])).toBeNull();
  });
});
