/**
 * beads.stats as it was computed before it moved into SQL (town/beads/stats.ts): every bead of the range
 * read into a JS map, the closed beads' ids into a set. The tests and bench/beads-stats-100k.ts compare
 * the SQL statement with it.
 */
import { AppError } from '../errors.js';
import type { Sql } from '../sql.js';
import { COST_INDEX, END_OF_TIME, usageByBead, usageOf } from '../town/beads/attribution.js';
import type { BeadStats } from '../town/beads/stats.js';

/** The nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] as number;
}

export function beadStatsKeyed(sql: Sql, q: { from?: number | undefined; to?: number | undefined } = {}): BeadStats {
  const from = q.from ?? 0;
  const to = q.to ?? END_OF_TIME;
  if (to <= from) throw new AppError('bad_request', 'to must be after from', { path: 'to' });
  const inRange = usageByBead(sql, from, to);
  let total = 0;
  let onBeads = 0;
  const closedIds = new Set((sql.rows('SELECT id FROM beads WHERE closed_at IS NOT NULL') as [string][]).map(([id]) => id));
  let neverClosed = 0;
  for (const [bead, usage] of inRange) {
    const cost = usage.amounts[COST_INDEX] as number;
    total += cost;
    if (bead === null) continue;
    onBeads += cost;
    if (!closedIds.has(bead)) neverClosed += cost;
  }
  const closed = sql.rows('SELECT id, loc_at_review FROM beads WHERE closed_at >= ? AND closed_at < ?', from, to) as [
    string,
    number | null,
  ][];
  // Each closed bead's whole cost: the range's own accounts when the range starts at 0, else read for those beads only.
  const whole =
    from === 0
      ? inRange
      : usageOf(
          sql,
          0,
          to,
          closed.map(([id]) => id),
          false,
        );
  const costs: number[] = [];
  let tokens = 0;
  let lines = 0;
  for (const [id, loc] of closed) {
    const amounts: number[] = whole.get(id)?.amounts ?? [0, 0, 0, 0, 0, 0];
    costs.push(amounts[COST_INDEX] as number);
    if (loc !== null && loc > 0) {
      lines += loc;
      tokens += amounts.reduce((s, v, i) => (i === COST_INDEX ? s : s + v), 0);
    }
  }
  costs.sort((a, b) => a - b);
  return {
    closedBeads: closed.length,
    costPerClosedBead: { median: percentile(costs, 0.5), p90: percentile(costs, 0.9) },
    tokensPerLine: lines > 0 ? tokens / lines : null,
    neverClosedShare: onBeads > 0 ? neverClosed / onBeads : 0,
    noBeadCostMicrodollars: inRange.get(null)?.amounts[COST_INDEX] ?? 0,
    totalCostMicrodollars: total,
  };
}
