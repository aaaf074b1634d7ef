import type { Breakdown } from '../../api/metrics.js';
import type { Column, Transform } from '../../lib/columns.js';

/** Series the breakdown chart asks for: with `other`, one per colour of the palette (12). */
export const BREAKDOWN_SERIES = 11;

export interface BreakdownLegend {
  series: { key: string; label: string }[];
  columns: Column[];
}

/**
 * The breakdown's legend entries and columns, in the server's order (largest first), then `other`.
 * Names come from reporters, so they are only ever values: legend keys are prefixed, and no agent
 * or model name (not even "other" or "__proto__") can stand for another entry.
 */
export function breakdownLegend(bd: Breakdown, by: 'agent' | 'model', transform: Transform): BreakdownLegend {
  const series = bd.series.map((s) => ({ key: `=${s.key}`, label: s.key }));
  const columns: Column[] = bd.series.map((s) => ({ values: s.values, transform }));
  if (bd.other) {
    series.push({ key: 'other', label: `Other (${bd.other.keys} ${by}${bd.other.keys === 1 ? '' : 's'})` });
    columns.push({ values: bd.other.values, transform });
  }
  return { series, columns };
}
