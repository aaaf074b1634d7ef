import type { Sql } from '../sql.js';
import type { ScheduleState } from './schedule.js';

/**
 * Arrival time of the last ingest (drives the tick interval and the data age), and the earliest event
 * time of cost it added, from which the tick's billing looks for unbilled cost (outbox.ts). One
 * statement, in the ingest transaction.
 */
export function touchIngest(sql: Sql, now: number, costFrom: number | null): void {
  sql.run(
    `UPDATE town_state SET last_ingest_at = max(COALESCE(last_ingest_at, 0), ?),
       unbilled_from = CASE WHEN ? IS NULL THEN unbilled_from ELSE min(COALESCE(unbilled_from, ?), ?) END WHERE id = 1`,
    now,
    costFrom,
    costFrom,
    costFrom,
  );
}

export interface TownState {
  lastIngestAt: number | null;
  lastTickAt: number | null;
}

export function readState(sql: Sql): TownState {
  const row = sql.rows('SELECT last_ingest_at, last_tick_at FROM town_state WHERE id = 1')[0] ?? [null, null];
  return { lastIngestAt: row[0] as number | null, lastTickAt: row[1] as number | null };
}

/** The state plus what a tick still has to do without new ingest (see nextTickAt). */
export function readScheduleState(sql: Sql): ScheduleState {
  const row = sql.rows(
    `SELECT last_ingest_at, last_tick_at, unbilled_from IS NOT NULL OR EXISTS (SELECT 1 FROM outbox),
       (SELECT MAX(reported_at + ttl_ms) FROM loc),
       bead_applied_upto < COALESCE((SELECT MAX(rowid) FROM usage_records), 0)
         OR EXISTS (SELECT 1 FROM bead_dirty) OR EXISTS (SELECT 1 FROM bead_moves)
     FROM town_state WHERE id = 1`,
  )[0] ?? [null, null, 0, null, 0];
  return {
    lastIngestAt: row[0] as number | null,
    lastTickAt: row[1] as number | null,
    unsettled: row[2] === 1,
    locExpiresAt: row[3] as number | null,
    beadsBehind: row[4] === 1,
  };
}
