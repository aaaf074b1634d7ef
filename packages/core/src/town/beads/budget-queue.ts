import type { Sql } from '../../sql.js';
import { RECORD_BEAD } from './attribution.js';

/**
 * The beads whose cost may have changed since the bead budget rule last checked them (runaway.ts), in
 * arrival order so no bead waits behind later ones. Exact under read-time attribution: a bead's cost
 * changes only through a usage record attributed to it (queued by the tick from the records past its
 * mark) or through an agent event that moves an agent's records between beads (queued at ingest).
 */
const QUEUE = 'INSERT OR IGNORE INTO bead_budget_pending (bead_id) VALUES (?)';

/**
 * A new `agent_beads` row (agent, at, eventId) takes the agent's unnamed records from its previous row's
 * bead up to its next row: both beads' costs may change.
 */
export function queueBeadsMovedBy(sql: Sql, agentId: string, at: number, eventId: string, beadId: string | null): void {
  const previous = sql.rows(
    // A row value, so the primary key seeks to it: `at < ? OR (at = ? AND …)` walked every later row of the agent.
    `SELECT bead_id FROM agent_beads WHERE agent_id = ? AND (at, event_id) < (?, ?)
     ORDER BY at DESC, event_id DESC LIMIT 1`,
    agentId,
    at,
    eventId,
  )[0]?.[0] as string | null | undefined;
  for (const bead of [beadId, previous]) if (bead) sql.run(QUEUE, bead);
}

/** Usage records the tick reads for their beads at most (the rest on the next ticks). */
export const MAX_RECORDS_QUEUED_PER_TICK = 50_000;

/** Queues the beads of the usage records ingested since the last call, MAX_RECORDS_QUEUED_PER_TICK at most. */
export function queueBeadsOfNewUsage(sql: Sql): void {
  const upto = sql.rows('SELECT bead_budget_upto FROM town_state WHERE id = 1')[0]?.[0] as number;
  const to = Math.min(upto + MAX_RECORDS_QUEUED_PER_TICK, lastUsageRow(sql));
  sql.run(
    `INSERT OR IGNORE INTO bead_budget_pending (bead_id)
     SELECT bead FROM (SELECT DISTINCT ${RECORD_BEAD} AS bead FROM usage_records u WHERE u.rowid > ? AND u.rowid <= ?)
     WHERE bead IS NOT NULL`,
    upto,
    to,
  );
  sql.run('UPDATE town_state SET bead_budget_upto = ? WHERE id = 1', to);
}

const lastUsageRow = (sql: Sql) => sql.rows('SELECT COALESCE(MAX(rowid), 0) FROM usage_records')[0]?.[0] as number;

/** Usage so far needs no queueing by record: called when every bead is queued, or none is to be. */
function skipUsageSoFar(sql: Sql): void {
  sql.run('UPDATE town_state SET bead_budget_upto = ? WHERE id = 1', lastUsageRow(sql));
}

/** A new cap: every bead with a cost, and those flagged, must be checked again (one pass, on the admin's call). */
export function queueAllBeads(sql: Sql): void {
  sql.run(
    `INSERT OR IGNORE INTO bead_budget_pending (bead_id)
     SELECT subject FROM runaway_episodes WHERE rule = 'beadBudget'
     UNION SELECT bead_id FROM agent_beads WHERE bead_id IS NOT NULL
     UNION SELECT bead_id FROM usage_records WHERE bead_id IS NOT NULL`,
  );
  skipUsageSoFar(sql);
}

/** The next `limit` beads to check, oldest first. */
export function pendingBeads(sql: Sql, limit: number): string[] {
  return (sql.rows('SELECT bead_id FROM bead_budget_pending ORDER BY seq LIMIT ?', limit) as [string][]).map(([b]) => b);
}

export function checkedBead(sql: Sql, beadId: string): void {
  sql.run('DELETE FROM bead_budget_pending WHERE bead_id = ?', beadId);
}

/** Rule off: nothing to check; a new cap queues everything again. */
export function clearBeadQueue(sql: Sql): void {
  sql.run('DELETE FROM bead_budget_pending');
  skipUsageSoFar(sql);
}
