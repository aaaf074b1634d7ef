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
  const results = sql.transaction(() => {
    const results = jobs.map((job): IngestResult | AppError => {
      if (job.kind === 'events') return countEvents(batch, job.events);
      if (job.kind === 'loc') return storeLoc(batch, job.reports, locTtlMs);
      if (job.kind === 'activity') return countActivity(batch, job.records);
      try {
        return sql.transaction(() => countUsage(batch, job.records, job.partial));
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
