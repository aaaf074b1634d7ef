import { describe, expect, it } from 'vitest';
import { breakdownLegend } from './breakdown-series.js';

describe('breakdownLegend', () => {
  it('keeps the server order, adds other last, and no name can stand for another entry', () => {
    const bd = {
      step: 60_000,
      t: [0, 60_000],
      series: [
        { key: 'other', values: [5, 5] },
        { key: '__proto__', values: [3, null] },
        { key: 'constructor', values: [1, 0] },
      ],
      other: { keys: 2, values: [1, 1] },
    };
    const legend = breakdownLegend(bd, 'agent', 'value');
    expect(legend.series).toEqual([
      { key: '=other', label: 'other' },
      { key: '=__proto__', label: '__proto__' },
      { key: '=constructor', label: 'constructor' },
      { key: 'other', label: 'Other (2 agents)' },
    ]);
    expect(legend.columns.map((c) => c.values)).toEqual([
      [5, 5],
      [3, null],
      [1, 0],
      [1, 1],
    ]);
    expect(breakdownLegend({ ...bd, other: { keys: 1, values: [0, 0] } }, 'model', 'value').series.at(-1)?.label).toBe(
      'Other (1 model)',
    );
    expect(breakdownLegend({ ...bd, other: null }, 'agent', 'value').series).toHaveLength(3);
  });
});
