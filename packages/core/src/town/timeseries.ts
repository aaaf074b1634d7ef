import type { Sql } from '../sql.js';
import { chooseResolution } from './resolution.js';
import { COUNTERS, GAUGES } from './series.js';

/** Columnar: `t[i]` is the start of bucket i; every series has one value per bucket, null for a gap. */
export interface Timeseries {
  step: number;
  t: number[];
  series: Record<string, (number | null)[]>;
}

const SELECT_COLUMNS = [
  'SUM(samples)',
  ...GAUGES.flatMap((g) => [`SUM(${g})`, `MAX(${g}_max)`]),
  ...COUNTERS.map((c) => `SUM(${c})`),
].join(', ');

/**
 * Buckets of `step` aligned to multiples of step. Counters are summed; gauges are averaged over the
 * tick samples in the bucket (with `<gauge>_max`). A bucket with no row is null; a gauge with no
 * sample in its bucket is null (nothing was measured), never 0.
 */
export function timeseries(sql: Sql, q: { from: number; to: number; maxPoints?: number | undefined }, now: number): Timeseries {
  const { step, start, count, tier } = chooseResolution(q.from, q.to, now, q.maxPoints);
  const t = Array.from({ length: count }, (_, i) => start + i * step);
  const series: Record<string, (number | null)[]> = {};
  for (const g of GAUGES) {
    series[g] = new Array(count).fill(null);
    series[`${g}_max`] = new Array(count).fill(null);
  }
  for (const c of COUNTERS) series[c] = new Array(count).fill(null);

  const rows = sql.rows(
    // Parameters may bind as REAL; the casts keep the bucket index an integer division.
    `SELECT (t - CAST(? AS INTEGER)) / CAST(? AS INTEGER) AS b, ${SELECT_COLUMNS} FROM ${tier.table} WHERE t >= ? AND t < ? GROUP BY b`,
    start,
    step,
    start,
    start + count * step,
  ) as number[][];
  for (const row of rows) {
    const b = row[0] as number;
    const samples = row[1] as number;
    let col = 2;
    for (const g of GAUGES) {
      (series[g] as (number | null)[])[b] = samples > 0 ? (row[col] as number) / samples : null;
      (series[`${g}_max`] as (number | null)[])[b] = samples > 0 ? (row[col + 1] as number) : null;
      col += 2;
    }
    for (const c of COUNTERS) (series[c] as (number | null)[])[b] = row[col++] as number;
  }
  return { step, t, series };
}
