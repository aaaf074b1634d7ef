import { describe, expect, it } from 'vitest';
import { formatMoneyAxis } from '../../lib/format.js';
import { dataMax, yLabels, yRange } from './y-axis.js';

describe('the y axis', () => {
  it('reaches a little above the highest value, or 0..1 with nothing above zero', () => {
    expect(yRange(100)).toEqual([0, 108]);
    expect(yRange(0)).toEqual([0, 1]);
    expect(yRange(null)).toEqual([0, 1]);
  });

  it('finds the highest value across columns, gaps skipped', () => {
    expect(
      dataMax([
        [1, null, 3],
        [2, undefined],
      ]),
    ).toBe(3);
    expect(dataMax([[null], []])).toBeNull();
  });

  it('labels every tick of a chart with data', () => {
    expect(yLabels([0, 100_000, 200_000], 200_000, formatMoneyAxis)).toEqual(['$0', '$0.1', '$0.2']);
  });

  it('labels only zero when nothing is above it, not fractions of a microdollar', () => {
    expect(yLabels([0, 0.25, 0.5, 0.75, 1], 0, formatMoneyAxis)).toEqual(['$0', '', '', '', '']);
    expect(yLabels([0, 0.5, 1], null, formatMoneyAxis)).toEqual(['$0', '', '']);
  });
});
