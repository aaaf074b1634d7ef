import { describe, expect, it } from 'vitest';
import { isolatedIndices, toAligned } from './columns.js';

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

  it('divides the bucket still in progress by the time it has been open', () => {
    // asOf 7.5 s into the last bucket: 10 tokens over 7.5 s, not over the whole 10 s step.
    const data = toAligned(cols, [{ values: cost, transform: 'perSecond' }], 1_027_500);
    expect(data[1]).toEqual([0, 100, 10 / 7.5]);
    // Never by less than one 5 s slot, so a bucket a moment old does not explode.
    expect(toAligned(cols, [{ values: cost, transform: 'perSecond' }], 1_020_100)[1]?.[2]).toBe(2);
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
