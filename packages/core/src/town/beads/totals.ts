import type { Sql, SqlValue } from '../../sql.js';
import { AMOUNT_COLUMNS, RECORD_BEAD } from './columns.js';

/**
 * Per-bead totals kept by the tick (ARCHITECTURE.md, "Cost per bead"). Each record's contribution is
 * remembered (`bead_applied`: bead, first_at, amounts) and summed per (hour, bead, agent) in `bead_hours`,
 * per bead over all time in `bead_totals`, and per (agent, minute) in `agent_minutes`. A record is re-applied (its old contribution subtracted,
 * its current one added) when anything its attribution depends on may have changed: it is new (past the
 * applied mark), ingest updated or re-dated it (`bead_dirty`), or an agent_beads row was added or pruned
 * around its time (`bead_moves`). Re-applying an unchanged record adds nothing, so the totals equal
 * read-time attribution once the remainder is applied, and reads add that remainder themselves.
 */

export const HOUR = 3_600_000;
export const MINUTE = 60_000;
/** Records re-applied per tick at most (~as many as the tick indexes); the rest on the next ticks. */
export const MAX_BEAD_RECORDS_APPLIED_PER_TICK = 50_000;
/** The "no bead" key: bead ids are never empty. */
export const NO_BEAD = '';

const COLS = AMOUNT_COLUMNS.join(', ');
const COST = 'cost_microdollars';

/** The records not yet (re-)applied: reads correct the totals by them. */
export const PENDING_RECS = `SELECT rowid FROM usage_records WHERE rowid > (SELECT bead_applied_upto FROM town_state WHERE id = 1)
  UNION SELECT rec FROM bead_dirty
  UNION SELECT t.rec FROM bead_moves m JOIN usage_times t ON t.agent_id = m.agent_id
    AND t.first_at >= m.from_at AND t.first_at < m.to_at AND (t.first_at > m.from_at OR t.rec > m.from_rec)`;

/**
 * Each record of `recs` (SQL selecting rowids) as a signed contribution: its applied one negated (count
 * -1), its current one (count 1). Columns: at, bead, agent_id, n, then the amounts.
 */
export function contributions(recs: string): string {
  return `SELECT at, bead, agent_id, -1 AS n, ${AMOUNT_COLUMNS.map((c) => `-${c} AS ${c}`).join(', ')}
      FROM bead_applied WHERE rec IN (${recs})
    UNION ALL
    SELECT u.first_at, COALESCE(${RECORD_BEAD}, ''), u.agent_id, 1, ${AMOUNT_COLUMNS.map((c) => `u.${c}`).join(', ')}
      FROM usage_records u WHERE u.rowid IN (${recs})`;
}

/** Re-applies the records `recs` selects (evaluated several times: it must not depend on what this changes). */
function apply(sql: Sql, recs: string, params: SqlValue[]): void {
  const p = (times: number) => Array.from({ length: times }, () => params).flat();
  sql.run(
    `INSERT INTO bead_hours (hour, bead, agent_id, records, ${COLS})
     SELECT at / ${HOUR}, bead, agent_id, SUM(n), ${AMOUNT_COLUMNS.map((c) => `SUM(${c})`).join(', ')}
     FROM (${contributions(recs)}) GROUP BY 1, 2, 3
     ON CONFLICT (hour, bead, agent_id) DO UPDATE SET records = records + excluded.records,
       ${AMOUNT_COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`,
    ...p(2),
  );
  sql.run(
    `INSERT INTO bead_totals (bead, records, ${COLS})
     SELECT bead, SUM(n), ${AMOUNT_COLUMNS.map((c) => `SUM(${c})`).join(', ')} FROM (${contributions(recs)}) GROUP BY 1
     ON CONFLICT (bead) DO UPDATE SET records = records + excluded.records,
       ${AMOUNT_COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`,
    ...p(2),
  );
  sql.run(
    `INSERT INTO agent_minutes (agent_id, minute, ${COST})
     SELECT agent_id, at / ${MINUTE}, SUM(${COST}) FROM (${contributions(recs)}) GROUP BY 1, 2
     ON CONFLICT (minute, agent_id) DO UPDATE SET ${COST} = ${COST} + excluded.${COST}`,
    ...p(2),
  );
  // The runaway windows that cover a changed minute move with it (runaway-windows.ts slides them).
  sql.run(
    `INSERT INTO runaway_window (rule, agent_id, ${COST})
     SELECT w.rule, c.agent_id, SUM(c.${COST}) FROM (${contributions(recs)}) c
       JOIN runaway_window_spans w ON c.at / ${MINUTE} > w.end_minute - w.minutes AND c.at / ${MINUTE} <= w.end_minute
     GROUP BY 1, 2
     ON CONFLICT (rule, agent_id) DO UPDATE SET ${COST} = ${COST} + excluded.${COST}`,
    ...p(2),
  );
  // A (bead, hour, agent) left without records goes, so its agent is no longer listed on the bead.
  sql.run(
    `DELETE FROM bead_hours WHERE records = 0 AND (hour, bead, agent_id) IN
       (SELECT at / ${HOUR}, bead, agent_id FROM bead_applied WHERE rec IN (${recs}))`,
    ...params,
  );
  sql.run(
    `DELETE FROM bead_totals WHERE records = 0 AND bead IN (SELECT bead FROM bead_applied WHERE rec IN (${recs}))`,
    ...params,
  );
  sql.run(
    `INSERT OR REPLACE INTO bead_applied (rec, bead, at, agent_id, ${COLS})
     SELECT u.rowid, COALESCE(${RECORD_BEAD}, ''), u.first_at, u.agent_id, ${AMOUNT_COLUMNS.map((c) => `u.${c}`).join(', ')}
     FROM usage_records u WHERE u.rowid IN (${recs})`,
    ...params,
  );
  sql.run(
    `DELETE FROM bead_applied WHERE rec IN (${recs}) AND NOT EXISTS (SELECT 1 FROM usage_records WHERE rowid = bead_applied.rec)`,
    ...params,
  );
}

/** Ingest updated or re-dated a stored record (or the tick is about to prune it). */
export function markDirty(sql: Sql, rec: number): void {
  sql.run('INSERT OR IGNORE INTO bead_dirty (rec) VALUES (?)', rec);
}

/**
 * A new agent_beads row at `at` may re-attribute the agent's records from `at` up to its next later row
 * (a row at the same ms may or may not win: re-applying a record whose bead did not change adds nothing).
 * A queued move of the agent that reaches past `at` now stops there: the new row decides the records
 * after it, and its own move covers them (so an event log replayed in order after the usage re-applies
 * each record once, not once per earlier event).
 */
export function queueMove(sql: Sql, agentId: string, at: number): void {
  // The move that reaches past `at` soonest, one index seek: the agent's moves are each one stretch between two of its
  // rows, so at most one holds `at`. All those with to_at > at were read instead, and events sent newest first (each
  // before every queued move) made a request of 5,000 read 12.5 million rows (2 s, every other town waiting).
  // Where moves overlap (a prune's), one left uncut only re-applies records whose bead did not change.
  sql.run(
    `UPDATE bead_moves SET to_at = ? WHERE seq = (SELECT seq FROM bead_moves WHERE agent_id = ? AND to_at > ?
       ORDER BY to_at LIMIT 1) AND from_at < ?`,
    at,
    agentId,
    at,
    at,
  );
  sql.run(
    `INSERT INTO bead_moves (agent_id, from_at, to_at)
     VALUES (?, ?, COALESCE((SELECT MIN(at) FROM agent_beads WHERE agent_id = ? AND at > ?), ${Number.MAX_SAFE_INTEGER}))`,
    agentId,
    at,
    agentId,
    at,
  );
}

/** Before the tick prunes usage records (rowid in (from, to], last updated before horizon): their totals go too. */
export function markPrunedDirty(sql: Sql, from: number, to: number, horizon: number): void {
  sql.run(
    'INSERT OR IGNORE INTO bead_dirty (rec) SELECT rowid FROM usage_records WHERE rowid > ? AND rowid <= ? AND last_at < ?',
    from,
    to,
    horizon,
  );
}

/**
 * Before the tick prunes agent_beads rows (`rows` selects agent_id, at, event_id with the horizon as its two
 * parameters; each has a later row before the horizon): the records from each pruned row to the horizon.
 * Returns how many agents have rows to prune (none: nothing to delete).
 */
export function queuePrunedMoves(sql: Sql, rows: string, horizon: number): number {
  return sql.run(
    `INSERT INTO bead_moves (agent_id, from_at, to_at) SELECT agent_id, MIN(at), ? FROM (${rows}) GROUP BY agent_id`,
    horizon,
    horizon,
    horizon,
  );
}

/**
 * In the tick's transaction, after the agent-time index is filled: re-applies dirty records, queued moves
 * and new records, at most MAX_BEAD_RECORDS_APPLIED_PER_TICK (never past the indexed mark, so a move's
 * records are all in usage_times). Returns how many records it re-applied.
 */
export function applyBeadTotals(sql: Sql, budget = MAX_BEAD_RECORDS_APPLIED_PER_TICK): number {
  let left = budget;
  // One probe: most ticks have nothing dirty and no move, only new records or none.
  const [anyDirty, anyMove, upto, indexed] = sql.rows(
    `SELECT EXISTS (SELECT 1 FROM bead_dirty), EXISTS (SELECT 1 FROM bead_moves), bead_applied_upto, usage_indexed_upto
     FROM town_state WHERE id = 1`,
  )[0] as [number, number, number, number];
  const dirty = anyDirty ? (sql.rows('SELECT rec FROM bead_dirty ORDER BY rec LIMIT ?', left) as [number][]).map(([r]) => r) : [];
  if (dirty.length > 0) {
    const last = dirty.at(-1) as number;
    apply(sql, 'SELECT rec FROM bead_dirty WHERE rec <= ?', [last]);
    sql.run('DELETE FROM bead_dirty WHERE rec <= ?', last);
    left -= dirty.length;
  }
  while (anyMove && left > 0) {
    const move = sql.rows('SELECT seq, agent_id, from_at, from_rec, to_at FROM bead_moves ORDER BY seq LIMIT 1')[0] as
      | [number, string, number, number, number]
      | undefined;
    if (!move) break;
    const [seq, agent, fromAt, fromRec, toAt] = move;
    const chunk = sql.rows(
      `SELECT first_at, rec FROM usage_times WHERE agent_id = ? AND first_at >= ? AND first_at < ?
         AND (first_at > ? OR rec > ?) ORDER BY first_at, rec LIMIT ?`,
      agent,
      fromAt,
      toAt,
      fromAt,
      fromRec,
      left,
    ) as [number, number][];
    if (chunk.length > 0) {
      apply(sql, 'SELECT value FROM json_each(?)', [JSON.stringify(chunk.map(([, rec]) => rec))]);
      left -= chunk.length;
    }
    const end = chunk.at(-1);
    if (end === undefined || left > 0) sql.run('DELETE FROM bead_moves WHERE seq = ?', seq);
    else sql.run('UPDATE bead_moves SET from_at = ?, from_rec = ? WHERE seq = ?', end[0], end[1], seq);
  }
  if (left > 0) {
    const to = Math.min(indexed, upto + left);
    if (to > upto) {
      apply(sql, 'SELECT rowid FROM usage_records WHERE rowid > ? AND rowid <= ?', [upto, to]);
      sql.run('UPDATE town_state SET bead_applied_upto = ? WHERE id = 1', to);
      left -= to - upto;
    }
  }
  return budget - left;
}
