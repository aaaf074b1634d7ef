import { AppError } from '../errors.js';
import type { Sql, SqlValue } from '../sql.js';
import { tupleKey } from '../tuple-key.js';
import { USAGE_AMOUNTS } from './bounds.js';
import { canonicalZone, fitCalendarBuckets } from './calendar.js';
import { chooseResolution, DEFAULT_MAX_POINTS } from './resolution.js';
import { BREAKDOWN_MIN_STEP_MS, slotStart, TIERS, type Tier, tiersCovering } from './tiers.js';

const upsert = new Map(
  TIERS.flatMap((tier) => (tier.breakdownTable ? [tier] : [])).map((tier) => [
    tier.breakdownTable,
    `INSERT INTO ${tier.breakdownTable} (t, agent_id, model, tokens, cost_microdollars) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (t, agent_id, model) DO UPDATE SET tokens = tokens + excluded.tokens,
       cost_microdollars = cost_microdollars + excluded.cost_microdollars`,
  ]),
);

const DAY = 86_400_000;
/** The five token kinds of a rollup row, summed: a breakdown row's `tokens`. */
const TOKENS = USAGE_AMOUNTS.filter(([, c]) => c !== 'cost_microdollars')
  .map(([, c]) => c)
  .join(' + ');

interface Entry {
  slot: number;
  agentId: string;
  model: string;
  tokens: number;
  cost: number;
}

/** Usage increases of one batch per (minute, agent, model); written beside the town totals in the same transaction. */
export class BreakdownCounters {
  private readonly entries = new Map<string, Entry>();

  add(at: number, agentId: string, model: string, tokens: number, cost: number): void {
    const slot = slotStart(at, BREAKDOWN_MIN_STEP_MS);
    const key = tupleKey(slot, agentId, model);
    const e = this.entries.get(key);
    if (e) {
      e.tokens += tokens;
      e.cost += cost;
    } else this.entries.set(key, { slot, agentId, model, tokens, cost });
  }

  flush(sql: Sql, now: number): void {
    for (const e of this.entries.values()) {
      for (const tier of tiersCovering(e.slot, now)) {
        if (!tier.breakdownTable) continue;
        sql.run(
          upsert.get(tier.breakdownTable) as string,
          slotStart(e.slot, tier.resolutionMs),
          e.agentId,
          e.model,
          e.tokens,
          e.cost,
        );
      }
    }
    this.entries.clear();
  }
}

/** Series a breakdown returns by default, and at most (the rest are summed into `other`). */
export const DEFAULT_BREAKDOWN_SERIES = 20;
export const MAX_BREAKDOWN_SERIES = 50;

export interface BreakdownQuery {
  from: number;
  to: number;
  maxPoints?: number | undefined;
  by: 'agent' | 'model';
  /** `tokens` sums all five kinds. */
  metric: 'tokens' | 'cost';
  /** IANA time zone: buckets of whole days then start at local midnight, as in the timeseries. */
  tz?: string | undefined;
  /** How many keys get a series of their own (default DEFAULT_BREAKDOWN_SERIES). */
  limit?: number | undefined;
}

/** One agent's (or model's) values, one per bucket. An array, never an object keyed by the name: names come from reporters. */
export interface BreakdownSeries {
  key: string;
  values: (number | null)[];
}

/** Columnar like the timeseries: `t[i]` is the start of bucket i. */
export interface Breakdown {
  step: number;
  t: number[];
  /** The `limit` keys with the largest totals over the range, largest first (ties by key). */
  series: BreakdownSeries[];
  /** Every other key summed per bucket, and how many keys that is; null when every key has its own series. */
  other: { keys: number; values: (number | null)[] } | null;
}

/** The buckets of one breakdown: where they start, and how a row of the tier finds its bucket. */
export interface BreakdownGrid {
  step: number;
  t: number[];
  table: string;
  breakdownTable: string;
  first: number;
  end: number;
  /** SQL for a row's bucket (with its parameters), and how the selected value becomes a bucket index. */
  bucketSql: string;
  bucketParams: number[];
  toBucket: (v: number) => number;
}

/**
 * The top `limit` keys (by total over the range) with a series each, and the rest summed as `other`, at the step of the
 * town's timeseries but at least a minute. A bucket in which the town measured anything but a key used nothing is 0; a
 * bucket with no data at all is null. Top series plus other add up to the town's totals.
 */
export function breakdown(sql: Sql, q: BreakdownQuery, now: number): Breakdown {
  if (q.by !== 'agent' && q.by !== 'model') throw new AppError('bad_request', 'by must be agent or model', { path: 'by' });
  const limit = q.limit ?? DEFAULT_BREAKDOWN_SERIES;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_BREAKDOWN_SERIES) {
    throw new AppError('bad_request', `limit must be an integer from 1 to ${MAX_BREAKDOWN_SERIES}`, { path: 'limit' });
  }
  const grid = breakdownGrid(q, now);
  const n = grid.t.length;
  const key = q.by === 'agent' ? 'agent_id' : 'model';
  const value = q.metric === 'cost' ? 'cost_microdollars' : 'tokens';
  // Rows whose first column is the bucket (see BreakdownGrid), with that column turned into the bucket index.
  const bucketRows = <R extends SqlValue[]>(query: string, ...params: SqlValue[]): [number, ...R][] =>
    sql.rows(query, ...grid.bucketParams, ...params).map((r) => [grid.toBucket(r[0] as number), ...(r.slice(1) as R)]);

  // What every key used per bucket: the town's totals, from the rollup tier's one row per slot. The two tiers hold
  // the same sums at every slot the tick may not prune yet (`horizon` on); below it the tick prunes each table
  // PRUNE_BATCH rows at a time, so there the breakdown rows themselves are summed (see breakdownOnly).
  const tier = TIERS.find((t) => t.table === grid.table) as Tier;
  const horizon = Math.min(Math.max(now - tier.retentionMs, grid.first), grid.end);
  const all = new Array<number | null>(n).fill(null);
  for (const [b, v] of bucketRows<[number]>(
    `SELECT ${grid.bucketSql}, SUM(CASE WHEN t >= ? THEN ${q.metric === 'cost' ? 'cost_microdollars' : TOKENS} ELSE 0 END)
     FROM ${grid.table} WHERE t >= ? AND t < ? GROUP BY 1`,
    horizon,
    grid.first,
    grid.end,
  )) {
    all[b] = (all[b] ?? 0) + v;
  }
  const measured = all.map((v) => v !== null);
  const empty = (): (number | null)[] => measured.map((m) => (m ? 0 : null));
  for (const [lo, hi] of breakdownOnly(grid, measured, horizon)) {
    for (const [b, v] of bucketRows<[number]>(
      `SELECT ${grid.bucketSql}, SUM(${value}) FROM ${grid.breakdownTable} WHERE t >= ? AND t < ? GROUP BY 1`,
      lo,
      hi,
    )) {
      all[b] = (all[b] ?? 0) + v;
    }
  }

  // Totals per key over the range, the largest first, and how many keys there are in all.
  const top = sql.rows(
    `SELECT ${key}, SUM(${value}) AS total, COUNT(*) OVER () FROM ${grid.breakdownTable} WHERE t >= ? AND t < ?
     GROUP BY ${key} ORDER BY total DESC, ${key} LIMIT ?`,
    grid.first,
    grid.end,
    limit,
  ) as [string, number, number][];
  const keyCount = top[0]?.[2] ?? 0;
  const series: BreakdownSeries[] = top.map(([k]) => ({ key: k, values: empty() }));
  const index = new Map(series.map((s, i) => [s.key, i]));
  const topSum = new Array<number>(n).fill(0);
  if (series.length > 0) {
    const rows = bucketRows<[string, number]>(
      `SELECT ${grid.bucketSql}, ${key}, SUM(${value}) FROM ${grid.breakdownTable}
       WHERE t >= ? AND t < ? AND ${key} IN (${series.map(() => '?').join(', ')}) GROUP BY 1, 2`,
      grid.first,
      grid.end,
      ...series.map((s) => s.key),
    );
    for (const [b, k, v] of rows) {
      const values = (series[index.get(k) as number] as BreakdownSeries).values;
      values[b] = (values[b] ?? 0) + v;
      topSum[b] = (topSum[b] as number) + v;
    }
  }
  const other: Breakdown['other'] =
    keyCount > series.length
      ? { keys: keyCount - series.length, values: all.map((v, b) => (v === null ? null : v - (topSum[b] as number))) }
      : null;
  return { step: grid.step, t: grid.t, series, other };
}

/**
 * The spans of the range whose breakdown rows are summed themselves rather than taken from the rollup tier: below
 * the tier's retention horizon (pruning may have removed a slot's rollup row but not yet all its breakdown rows), and
 * buckets without any rollup row, where breakdown rows can still exist (a record of zero amounts adds a breakdown
 * row, while a slot whose counters are all zero writes no rollup row). Few rows in either case: the horizon cuts the
 * range's first bucket at most (or, past the longest retention, what the tick has not pruned yet), and an unmeasured
 * bucket holds only zero rows.
 */
function breakdownOnly(grid: BreakdownGrid, measured: readonly boolean[], horizon: number): [number, number][] {
  const spans: [number, number][] = [];
  const add = (lo: number, hi: number) => {
    if (lo >= hi) return;
    const last = spans.at(-1);
    if (last && last[1] >= lo) last[1] = Math.max(last[1], hi);
    else spans.push([lo, hi]);
  };
  add(grid.first, horizon);
  for (let b = 0; b < measured.length; b++) {
    if (!measured[b]) add(Math.max(grid.t[b] as number, horizon), b + 1 < grid.t.length ? (grid.t[b + 1] as number) : grid.end);
  }
  return spans;
}

/** The buckets of a breakdown (validated `by` and `limit` aside): the timeseries' step, at least a minute. */
export function breakdownGrid(q: BreakdownQuery, now: number): BreakdownGrid {
  const { step, start, count, tier } = chooseResolution(q.from, q.to, now, q.maxPoints, BREAKDOWN_MIN_STEP_MS);
  if (q.tz !== undefined) canonicalZone(q.tz); // an unknown zone is a 400 at every step, not only for days
  if (q.tz !== undefined && step % DAY === 0) return calendarGrid(q, step, q.tz, now);
  return {
    step,
    t: Array.from({ length: count }, (_, i) => start + i * step),
    table: tier.table,
    breakdownTable: tier.breakdownTable as string,
    first: start,
    end: start + count * step,
    // Parameters may bind as REAL; the casts keep the bucket index an integer division.
    bucketSql: '(t - CAST(? AS INTEGER)) / CAST(? AS INTEGER)',
    bucketParams: [start, step],
    toBucket: (b) => b,
  };
}

/**
 * Day buckets at local midnight (see calendarTimeseries): rows of the breakdown tier are grouped by their own time and
 * summed per local day here, since DST days differ in length.
 */
function calendarGrid(q: BreakdownQuery, utcStep: number, tz: string, now: number): BreakdownGrid {
  let { starts, end, tier, step } = fitCalendarBuckets(q.from, q.to, utcStep, tz, now, q.maxPoints ?? DEFAULT_MAX_POINTS);
  if (!tier.breakdownTable) {
    // Edges that fit only the 5 s tier (a zone offset in seconds): breakdowns start at 1 minute, which keeps at least as long.
    tier = TIERS.find((t) => t.resolutionMs === BREAKDOWN_MIN_STEP_MS) as Tier;
    starts = starts.map((e) => slotStart(e, tier.resolutionMs));
    end = slotStart(end, tier.resolutionMs);
  }
  const edges = starts;
  return {
    step,
    t: edges,
    table: tier.table,
    breakdownTable: tier.breakdownTable as string,
    first: edges[0] ?? end,
    end,
    bucketSql: 't',
    bucketParams: [],
    toBucket: (t) => lastAtOrBefore(edges, t),
  };
}

/** The index of the last edge at or before t (edges ascending, t at or after the first). */
function lastAtOrBefore(edges: readonly number[], t: number): number {
  let lo = 0;
  let hi = edges.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((edges[mid] as number) <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
