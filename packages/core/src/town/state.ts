import type { Sql } from '../sql.js';

/** Arrival time of the last ingest: drives the tick interval (active vs idle) and the data age. */
export function touchIngest(sql: Sql, now: number): void {
  sql.run('UPDATE town_state SET last_ingest_at = max(COALESCE(last_ingest_at, 0), ?) WHERE id = 1', now);
}

export interface TownState {
  lastIngestAt: number | null;
  lastTickAt: number | null;
}

export function readState(sql: Sql): TownState {
  const row = sql.rows('SELECT last_ingest_at, last_tick_at FROM town_state WHERE id = 1')[0] ?? [null, null];
  return { lastIngestAt: row[0] as number | null, lastTickAt: row[1] as number | null };
}
