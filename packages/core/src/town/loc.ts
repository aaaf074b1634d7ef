import type { Sql } from '../sql.js';
import type { WriteBatch } from './write-batch.js';

export interface LocReport {
  agentId: string;
  additions: number;
  deletions: number;
  files?: number | undefined;
}

/** How long a lines-of-code report counts before it expires (a dead reporter leaves no stale gauge). */
export const DEFAULT_LOC_TTL_MS = 90_000;

/**
 * Replaces each agent's outstanding lines; 0/0 is a real report and clears the agent's lines.
 * `changed_at` is when the lines last differed from the previous report (the no-progress rule).
 */
export function storeLoc(batch: WriteBatch, reports: readonly LocReport[], ttlMs = DEFAULT_LOC_TTL_MS): { accepted: number } {
  for (const r of reports) {
    batch.sql.run(
      `INSERT INTO loc (agent_id, additions, deletions, files, reported_at, ttl_ms, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (agent_id) DO UPDATE SET
         changed_at = CASE WHEN additions = excluded.additions AND deletions = excluded.deletions THEN changed_at
                           ELSE excluded.changed_at END,
         additions = excluded.additions, deletions = excluded.deletions,
         files = excluded.files, reported_at = excluded.reported_at, ttl_ms = excluded.ttl_ms`,
      r.agentId,
      r.additions,
      r.deletions,
      r.files ?? null,
      batch.now,
      ttlMs,
      batch.now,
    );
  }
  return { accepted: reports.length };
}

/** currentLoc's query (a test checks that it reads the index). */
export const CURRENT_LOC =
  'SELECT COALESCE(SUM(additions), 0), COALESCE(SUM(deletions), 0) FROM loc WHERE reported_at + ttl_ms > ?';

/**
 * Outstanding lines summed over the agents whose report has not expired at `now`: read through the index of
 * `reported_at + ttl_ms` (migration 20), so expired reports cost nothing; the tick deletes them a day later.
 */
export function currentLoc(sql: Sql, now: number): { additions: number; deletions: number } {
  const row = sql.rows(CURRENT_LOC, now)[0] as [number, number];
  return { additions: row[0], deletions: row[1] };
}
