import { AppError } from '../errors.js';
import type { Sql } from '../sql.js';
import { canonicalZone, fitCalendarBuckets } from './calendar.js';
import { chooseResolution, DEFAULT_MAX_POINTS } from './resolution.js';
import { BREAKDOWN_MIN_STEP_MS, slotStart, TIERS, type Tier, tiersCovering } from './tiers.js';
import type { Timeseries } from './timeseries.js';

const upsert = new Map(
  TIERS.flatMap((tier) => (tier.breakdownTable ? [tier] : [])).map((tier) => [
    tier.breakdownTable,
    `INSERT INTO ${tier.breakdownTable} (t, agent_id, model, tokens, cost_microdollars) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (t, agent_id, model) DO UPDATE SET tokens = tokens + excluded.tokens,
       cost_microdollars = cost_microdollars + excluded.cost_microdollars`,
  ]),
);

const DAY = 86_400_000;

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
    const key = `${slot}\u0000${agentId}\u0000${model}`;
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

export interface BreakdownQuery {
  from: number;
  to: number;
  maxPoints?: number | undefined;
  by: 'agent' | 'model';
  /** `tokens` sums all five kinds. */
  metric: 'tokens' | 'cost';
  /** IANA time zone: buckets of whole days then start at local midnight, as in the timeseries. */
  tz?: string | undefined;
}

/**
 * One series per agent (or model), at the step of the town's timeseries but at least a minute. A bucket in which the
 * town measured anything but this key used nothing is 0; a bucket with no data at all is null.
 */
export function breakdown(sql: Sql, q: BreakdownQuery, now: number): Timeseries {
  if (q.by !== 'agent' && q.by !== 'model') throw new AppError('bad_request', 'by must be agent or model', { path: 'by' });
  const { step, start, count, tier } = chooseResolution(q.from, q.to, now, q.maxPoints, BREAKDOWN_MIN_STEP_MS);
  if (q.tz !== undefined) canonicalZone(q.tz); // an unknown zone is a 400 at every step, not only for days
  if (q.tz !== undefined && step % DAY === 0) return calendarBreakdown(sql, q, step, q.tz, now);
  const end = start + count * step;
  const t = Array.from({ length: count }, (_, i) => start + i * step);
  const bucket = '(t - CAST(? AS INTEGER)) / CAST(? AS INTEGER)';
  const measured = new Array<boolean>(count).fill(false);
  for (const [b] of sql.rows(`SELECT DISTINCT ${bucket} FROM ${tier.table} WHERE t >= ? AND t < ?`, start, step, start, end)) {
    measured[b as number] = true;
  }
  const key = q.by === 'agent' ? 'agent_id' : 'model';
  const value = q.metric === 'cost' ? 'cost_microdollars' : 'tokens';
  const series: Record<string, (number | null)[]> = {};
  const rows = sql.rows(
    `SELECT ${bucket} AS b, ${key}, SUM(${value}) FROM ${tier.breakdownTable as string} WHERE t >= ? AND t < ? GROUP BY b, ${key}`,
    start,
    step,
    start,
    end,
  );
  for (const [b, name, v] of rows as [number, string, number][]) {
    let s = series[name];
    if (!s) {
      s = measured.map((m) => (m ? 0 : null));
      series[name] = s;
    }
    s[b] = v;
  }
  return { step, t, series };
}

/**
 * Day buckets at local midnight (see calendarTimeseries): the rows of the breakdown tier are summed
 * per local day here, since DST days differ in length.
 */
function calendarBreakdown(sql: Sql, q: BreakdownQuery, utcStep: number, tz: string, now: number): Timeseries {
  let { starts, end, tier, step } = fitCalendarBuckets(q.from, q.to, utcStep, tz, now, q.maxPoints ?? DEFAULT_MAX_POINTS);
  if (!tier.breakdownTable) {
    // Edges that fit only the 5 s tier (a zone offset in seconds): breakdowns start at 1 minute, which keeps at least as long.
    tier = TIERS.find((t) => t.resolutionMs === BREAKDOWN_MIN_STEP_MS) as Tier;
    starts = starts.map((e) => slotStart(e, tier.resolutionMs));
    end = slotStart(end, tier.resolutionMs);
  }
  const first = starts[0] ?? end;
  // Bucket of each row time: rows come in time order, so one pass over the edges.
  const bucketer = () => {
    let b = -1;
    return (t: number) => {
      while (b + 1 < starts.length && t >= (starts[b + 1] as number)) b++;
      return b;
    };
  };
  const measured = new Array<boolean>(starts.length).fill(false);
  const measuredAt = bucketer();
  for (const [t] of sql.rows(`SELECT t FROM ${tier.table} WHERE t >= ? AND t < ? ORDER BY t`, first, end)) {
    measured[measuredAt(t as number)] = true;
  }
  const key = q.by === 'agent' ? 'agent_id' : 'model';
  const value = q.metric === 'cost' ? 'cost_microdollars' : 'tokens';
  const series: Record<string, (number | null)[]> = {};
  const bucketAt = bucketer();
  const rows = sql.rows(
    `SELECT t, ${key}, SUM(${value}) FROM ${tier.breakdownTable as string} WHERE t >= ? AND t < ? GROUP BY t, ${key} ORDER BY t`,
    first,
    end,
  );
  for (const [t, name, v] of rows as [number, string, number][]) {
    let s = series[name];
    if (!s) {
      s = measured.map((m) => (m ? 0 : null));
      series[name] = s;
    }
    const b = bucketAt(t);
    s[b] = (s[b] ?? 0) + v;
  }
  return { step, t: starts, series };
}
