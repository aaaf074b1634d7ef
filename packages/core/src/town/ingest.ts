import { AppError } from '../errors.js';
import type { Sql } from '../sql.js';
import { type ActivityRecord, type ActivityResult, countActivity } from './activity.js';
import { countEvents, type EventsResult, type TownEvent } from './events.js';
import { type LocReport, storeLoc } from './loc.js';
import { countUsage, type UsageRecord, type UsageResult } from './usage.js';
import type { UsageIds } from './usage-ids.js';
import { WriteBatch } from './write-batch.js';

/** One validated request's worth of ingest. */
export type IngestJob =
  | {
      kind: 'usage';
      records: readonly UsageRecord[] /** refuse a record past an hour bound alone (usage.ts) */;
      partial?: boolean;
    }
  | { kind: 'events'; events: readonly TownEvent[] }
  | { kind: 'loc'; reports: readonly LocReport[] }
  | { kind: 'activity'; records: readonly ActivityRecord[] };

export interface IngestResults {
  usage: UsageResult;
  events: EventsResult;
  loc: { accepted: number };
  activity: ActivityResult;
}
export type IngestResult = IngestResults[IngestJob['kind']];

/**
 * Usage records a town may hold not yet applied to its per-bead totals (new since the tick's mark, or
 * updated since) before it refuses more usage with a 503 (`unavailable`, retried after `Retry-After`):
 * two ticks' worth (MAX_BEAD_RECORDS_APPLIED_PER_TICK). Every bead read adds these records as a
 * correction, so without a bound one client ingesting faster than the tick applies (~30,000 records/s
 * against 50,000 a tick) made each `beads.list` or `beads.stats` of its town cost seconds of a Node
 * host's event loop, more with every second it kept sending.
 */
export const MAX_BEAD_BACKLOG = 100_000;

function beadBacklog(sql: Sql): number {
  const [backlog] = sql.rows(
    `SELECT COALESCE((SELECT MAX(rowid) FROM usage_records), 0) - bead_applied_upto + (SELECT COUNT(*) FROM bead_dirty)
     FROM town_state WHERE id = 1`,
  )[0] as [number];
  return backlog;
}

/**
 * Ingests several jobs in one transaction and returns one result per job, in order. A host that
 * collects concurrent requests into one call pays for one commit and one set of slot upserts
 * instead of one per request (group commit); every job is still counted exactly once. A job the
 * data refuses (a bound, bounds.ts) runs in a savepoint: its result is the 4xx error, nothing of it
 * is stored, and the other jobs commit.
 */
export function ingestAll(
  sql: Sql,
  usageIds: UsageIds,
  jobs: readonly IngestJob[],
  now: number,
  locTtlMs: number,
): (IngestResult | AppError)[] {
  const batch = new WriteBatch(sql, now, usageIds);
  let before: number | undefined;
  let grouped = 0;
  const results = sql.transaction(() => {
    const results = jobs.map((job): IngestResult | AppError => {
      if (job.kind === 'events') return countEvents(batch, job.events);
      if (job.kind === 'loc') return storeLoc(batch, job.reports, locTtlMs);
      if (job.kind === 'activity') return countActivity(batch, job.records);
      // Read once a group: the batch may not have written its earlier jobs' records yet, so they count here.
      before ??= beadBacklog(sql);
      const backlog = before + grouped;
      if (backlog + job.records.length > MAX_BEAD_BACKLOG) {
        const message = `town has ${backlog} usage records not yet applied to its per-bead totals (at most ${MAX_BEAD_BACKLOG}); retry`;
        return new AppError('unavailable', message, { path: 'records' });
      }
      try {
        const result = sql.transaction(() => countUsage(batch, job.records, job.partial));
        grouped += job.records.length;
        return result;
      } catch (err) {
        if (err instanceof AppError && err.expose) return err;
        throw err;
      }
    });
    batch.finish();
    return results;
  });
  usageIds.committed(batch.newUsageIds);
  return results;
}
