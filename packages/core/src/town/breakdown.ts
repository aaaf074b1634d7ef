import { AppError } from '../errors.js';
import type { Sql } from '../sql.js';
import { chooseResolution } from './resolution.js';
import { BREAKDOWN_MIN_STEP_MS, slotStart, TIERS, tiersCovering } from './tiers.js';
import type { Timeseries } from './timeseries.js';

const upsert = new Map(
  TIERS.flatMap((tier) => (tier.breakdownTable ? [tier] : [])).map((tier) => [
    tier.breakdownTable,
    `INSERT INTO ${tier.breakdownTable} (t, agent_id, model, tokens, cost_microdollars) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (t, agent_id, model) DO UPDATE SET tokens = tokens + excluded.tokens,
       cost_microdollars = cost_microdollars + excluded.cost_microdollars`,
  ]),
);

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
}

/**
 * One series per agent (or model), at the step of the town's timeseries but at least a minute. A bucket in which the
 * town measured anything but this key used nothing is 0; a bucket with no data at all is null.
 */
export function breakdown(sql: Sql, q: BreakdownQuery, now: number): Timeseries {
  if (q.by !== 'agent' && q.by !== 'model') throw new AppError('bad_request', 'by must be agent or model', { path: 'by' });
  const { step, start, count, tier } = chooseResolution(q.from, q.to, now, q.maxPoints, BREAKDOWN_MIN_STEP_MS);
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
