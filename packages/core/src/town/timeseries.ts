import type { Sql } from '../sql.js';
import { canonicalZone, fitCalendarBuckets } from './calendar.js';
import { chooseResolution, DEFAULT_MAX_POINTS } from './resolution.js';
import { COUNTERS, type Counter, GAUGES, type Gauge } from './series.js';

/** The timeseries' series: fixed names, never data (agent and model names go in a breakdown's array). */
export type SeriesName = Counter | Gauge | `${Gauge}_max`;

/** Columnar: `t[i]` is the start of bucket i; every series has one value per bucket, null for a gap. */
export interface Timeseries {
  step: number;
  t: number[];
  series: Record<SeriesName, (number | null)[]>;
}

const SELECT_COLUMNS = [
  'SUM(samples)',
  ...GAUGES.flatMap((g) => [`SUM(${g})`, `MAX(${g}_max)`]),
  ...COUNTERS.map((c) => `SUM(${c})`),
].join(', ');

export interface TimeseriesQuery {
  from: number;
  to: number;
  maxPoints?: number | undefined;
  /** IANA time zone: buckets of whole days then start at local midnight instead of UTC midnight. */
  tz?: string | undefined;
}

const DAY = 86_400_000;

/**
 * Buckets of `step` aligned to multiples of step (day buckets to local midnight when `tz` is given).
 * Counters are summed; gauges are averaged over the tick samples in the bucket (with `<gauge>_max`).
 * A bucket with no row is null; a gauge with no sample in its bucket is null (nothing was measured),
 * never 0.
 */
export function timeseries(sql: Sql, q: TimeseriesQuery, now: number): Timeseries {
  const { step, start, count, tier } = chooseResolution(q.from, q.to, now, q.maxPoints);
  if (q.tz !== undefined) canonicalZone(q.tz); // an unknown zone is a 400 at every step, not only for days
  if (q.tz !== undefined && step % DAY === 0) return calendarTimeseries(sql, q, step, q.tz, now);
  const t = Array.from({ length: count }, (_, i) => start + i * step);
  const { out, columns } = emptySeries(t, step);
  const rows = sql.rows(
    // Parameters may bind as REAL; the casts keep the bucket index an integer division.
    `SELECT (t - CAST(? AS INTEGER)) / CAST(? AS INTEGER) AS b, ${SELECT_COLUMNS} FROM ${tier.table} WHERE t >= ? AND t < ? GROUP BY b`,
    start,
    step,
    start,
    start + count * step,
  ) as number[][];
  for (const row of rows) setBucket(columns, row[0] as number, row, 1);
  return out;
}

/** The series, all gaps, and their arrays in SELECT_COLUMNS order after `samples` (what setBucket fills). */
function emptySeries(t: number[], step: number): { out: Timeseries; columns: (number | null)[][] } {
  const series = {} as Record<SeriesName, (number | null)[]>;
  const columns: (number | null)[][] = [];
  const gap = () => {
    const values = new Array<number | null>(t.length).fill(null);
    columns.push(values);
    return values;
  };
  for (const g of GAUGES) {
    series[g] = gap();
    series[`${g}_max`] = gap();
  }
  for (const c of COUNTERS) series[c] = gap();
  return { out: { step, t, series }, columns };
}

/**
 * `row` from `offset` on: samples, then (sum, max) per gauge, then counters, as SELECT_COLUMNS orders them,
 * into bucket b of `columns` (emptySeries' arrays, by position: no series name looked up per value).
 */
function setBucket(columns: (number | null)[][], b: number, row: readonly number[], offset: number): void {
  const samples = row[offset] as number;
  let col = 0;
  for (; col < 2 * GAUGES.length; col += 2) {
    (columns[col] as (number | null)[])[b] = samples > 0 ? (row[offset + 1 + col] as number) / samples : null;
    (columns[col + 1] as (number | null)[])[b] = samples > 0 ? (row[offset + 2 + col] as number) : null;
  }
  for (; col < columns.length; col++) (columns[col] as (number | null)[])[b] = row[offset + 1 + col] as number;
}

const ROW_COLUMNS = ['samples', ...GAUGES.flatMap((g) => [g, `${g}_max`]), ...COUNTERS];
const IS_MAX = ROW_COLUMNS.map((c) => c.endsWith('_max'));

/** Day buckets at local midnight: variable length (DST), so the tier's rows are summed here, not by SQL. */
function calendarTimeseries(sql: Sql, q: TimeseriesQuery, utcStep: number, tz: string, now: number): Timeseries {
  const { starts, end, tier, step } = fitCalendarBuckets(q.from, q.to, utcStep, tz, now, q.maxPoints ?? DEFAULT_MAX_POINTS);
  const { out, columns } = emptySeries(starts, step);
  const rows = sql.rows(
    `SELECT t, ${ROW_COLUMNS.join(', ')} FROM ${tier.table} WHERE t >= ? AND t < ? ORDER BY t`,
    starts[0] ?? end,
    end,
  ) as number[][];
  let b = -1;
  let acc: number[] | undefined;
  const emit = () => {
    if (acc) setBucket(columns, b, acc, 0);
  };
  for (const row of rows) {
    const t = row[0] as number;
    if (b < 0 || (b + 1 < starts.length && t >= (starts[b + 1] as number))) {
      emit();
      while (b + 1 < starts.length && t >= (starts[b + 1] as number)) b++;
      acc = new Array(ROW_COLUMNS.length).fill(0);
    }
    const a = acc as number[];
    for (let i = 0; i < ROW_COLUMNS.length; i++) {
      const v = row[i + 1] as number;
      a[i] = IS_MAX[i] ? Math.max(a[i] as number, v) : (a[i] as number) + v;
    }
  }
  emit();
  return out;
}
