import type { Sql, SqlValue } from '../../sql.js';
import { USAGE_AMOUNTS } from '../bounds.js';

/**
 * Which bead a usage amount belongs to, decided at read time from intervals (ARCHITECTURE.md, "Cost per
 * bead"): the record's own `bead_id`; otherwise the bead of the agent's latest `agent_beads` row at or
 * before the record's earliest event time (`first_at`), rows at the same ms ordered by event id; otherwise
 * none. Nothing is stored per record at ingest, so the order in which usage and agent events arrive
 * cannot change the answer.
 */
export const RECORD_BEAD = `COALESCE(u.bead_id, (SELECT ab.bead_id FROM agent_beads ab
  WHERE ab.agent_id = u.agent_id AND ab.at <= u.first_at ORDER BY ab.at DESC, ab.event_id DESC LIMIT 1))`;

/** The five token kinds and the cost, in USAGE_AMOUNTS order. */
export const AMOUNT_COLUMNS = USAGE_AMOUNTS.map(([, column]) => column);
const SUMS = AMOUNT_COLUMNS.map((c) => `SUM(u.${c})`).join(', ');
export const COST_INDEX = AMOUNT_COLUMNS.indexOf('cost_microdollars');

export type Amounts = number[];
export const zeroAmounts = (): Amounts => AMOUNT_COLUMNS.map(() => 0);

export function addAmounts(into: Amounts, more: readonly number[]): void {
  for (let i = 0; i < into.length; i++) into[i] = (into[i] as number) + (more[i] as number);
}

/** Usage of one bead (or of no bead) in a range, and the agents it came from. */
export interface BeadUsage {
  amounts: Amounts;
  agents: Set<string>;
}

/** Latest epoch ms a range may reach; `to` of an open range. */
export const END_OF_TIME = Number.MAX_SAFE_INTEGER;

/**
 * The usage records of the agents `agents` selects (SQL with its own parameters) dated in [from, to), as a
 * subquery: those the tick has indexed through `usage_times` (agent, time), the newest (above the indexed
 * mark, at most a tick's worth) read directly. No index on usage_records itself: ingest stays an append.
 */
export function recordsOf(
  agents: { sql: string; params: SqlValue[] },
  from: number,
  to: number,
): { sql: string; params: SqlValue[] } {
  return {
    sql: `(SELECT r.* FROM usage_times t JOIN usage_records r ON r.rowid = t.rec
             WHERE t.agent_id IN (${agents.sql}) AND t.first_at >= ? AND t.first_at < ?
           UNION ALL
           SELECT * FROM usage_records WHERE rowid > (SELECT usage_indexed_upto FROM town_state WHERE id = 1)
             AND agent_id IN (${agents.sql}) AND first_at >= ? AND first_at < ?)`,
    params: [...agents.params, from, to, ...agents.params, from, to],
  };
}

/** Every agent that ever had usage. */
export const ALL_AGENTS = { sql: 'SELECT agent_id FROM usage_totals', params: [] };

/** Usage dated in [from, to), per bead (the key null is "no bead"): each record of the range read once. */
export function usageByBead(sql: Sql, from: number, to: number): Map<string | null, BeadUsage> {
  const records = recordsOf(ALL_AGENTS, from, to);
  const rows = sql.rows(
    `SELECT ${RECORD_BEAD} AS bead, u.agent_id, ${SUMS} FROM ${records.sql} u GROUP BY bead, u.agent_id`,
    ...records.params,
  );
  const byBead = new Map<string | null, BeadUsage>();
  for (const [bead, agent, ...sums] of rows) {
    const key = bead as string | null;
    let usage = byBead.get(key);
    if (!usage) {
      usage = { amounts: zeroAmounts(), agents: new Set() };
      byBead.set(key, usage);
    }
    addAmounts(usage.amounts, sums as number[]);
    usage.agents.add(agent as string);
  }
  return byBead;
}

/**
 * One bead's usage dated in [from, to), bucketed by `step` from `from` (one bucket when step is END_OF_TIME):
 * the records that name it, and each agent's unnamed records while the agent held it. Returns rows of
 * [bucket index, agent, ...amounts].
 */
export function beadUsageRows(
  sql: Sql,
  beadId: string,
  from: number,
  to: number,
  step = END_OF_TIME,
): [number, string, ...number[]][] {
  const bucket = `(u.first_at - ${Math.floor(from)}) / ${Math.floor(step)}`;
  const rows = sql.rows(
    `SELECT ${bucket}, u.agent_id, ${SUMS} FROM usage_records u
     WHERE u.bead_id = ? AND u.first_at >= ? AND u.first_at < ? GROUP BY 1, 2`,
    beadId,
    from,
    to,
  ) as [number, string, ...number[]][];
  for (const [agent, start, end] of spansOf(sql, beadId)) {
    const lo = Math.max(start, from);
    const hi = Math.min(end ?? END_OF_TIME, to);
    if (lo >= hi) continue;
    const records = recordsOf({ sql: '?', params: [agent] }, lo, hi);
    rows.push(
      ...(sql.rows(
        `SELECT ${bucket}, u.agent_id, ${SUMS} FROM ${records.sql} u WHERE u.bead_id IS NULL GROUP BY 1`,
        ...records.params,
      ) as [number, string, ...number[]][]),
    );
  }
  return rows;
}

/** One bead's usage dated in [from, to) and its agents. */
export function beadUsage(sql: Sql, beadId: string, from = 0, to = END_OF_TIME): BeadUsage {
  const usage: BeadUsage = { amounts: zeroAmounts(), agents: new Set() };
  for (const [, agent, ...sums] of beadUsageRows(sql, beadId, from, to)) {
    addAmounts(usage.amounts, sums);
    usage.agents.add(agent);
  }
  return usage;
}

/**
 * The intervals [start, end) in which an agent held the bead (end null: still holds it): each
 * `agent_beads` row naming it, up to the agent's next row in (at, event_id) order.
 */
export function spansOf(sql: Sql, beadId: string): [agent: string, start: number, end: number | null][] {
  return sql.rows(
    `SELECT agent_id, at, next_at FROM (
       SELECT agent_id, at, bead_id, LEAD(at) OVER (PARTITION BY agent_id ORDER BY at, event_id) AS next_at
       FROM agent_beads WHERE agent_id IN (SELECT agent_id FROM agent_beads WHERE bead_id = ?)
     ) WHERE bead_id = ? ORDER BY agent_id, at`,
    beadId,
    beadId,
  ) as [string, number, number | null][];
}
