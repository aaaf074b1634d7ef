import { loggingTown, usageRecord } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { MAX_BEAD_RECORDS_APPLIED_PER_TICK } from './beads/totals.js';
import { MAX_BEAD_BACKLOG } from './ingest.js';

const T0 = Date.UTC(2026, 10, 1);
const BATCH = 5_000;
const batch = (from: number, n = BATCH) =>
  Array.from({ length: n }, (_, i) =>
    usageRecord({ id: `u${from + i}`, agentId: `a${(from + i) % 9}`, at: T0 + from + i, beadId: `b${from + i}` }),
  );

describe('usage records not yet applied to the per-bead totals', () => {
  it(`are at most ${MAX_BEAD_BACKLOG}: past it usage is a 503 that stores nothing, and the tick makes room`, () => {
    const now = { t: T0 + 3_600_000 };
    const { town } = loggingTown(now);
    for (let i = 0; i < MAX_BEAD_BACKLOG; i += BATCH) town.ingestUsage(batch(i));
    const refuse = () => town.ingestUsage(batch(MAX_BEAD_BACKLOG, 1));
    expect(refuse).toThrow(AppError);
    try {
      refuse();
    } catch (err) {
      expect(err).toMatchObject({ code: 'unavailable', status: 503, path: 'records' });
    }
    const stored = town.sql.rows('SELECT COUNT(*) FROM usage_records')[0]?.[0];
    expect(stored).toBe(MAX_BEAD_BACKLOG);

    // Events and lines of code are not usage: still taken.
    town.ingestEvents([{ id: 'e1', at: T0, type: 'bead', beadId: 'b1', status: 'open' }]);

    town.tick();
    expect(town.ingestUsage(batch(MAX_BEAD_BACKLOG, MAX_BEAD_RECORDS_APPLIED_PER_TICK)).accepted).toBe(
      MAX_BEAD_RECORDS_APPLIED_PER_TICK,
    );
    expect(refuse).toThrow(AppError);
  });

  it('counts the earlier jobs of one group commit', () => {
    const { town } = loggingTown({ t: T0 + 3_600_000 });
    for (let i = 0; i < MAX_BEAD_BACKLOG - 2 * BATCH; i += BATCH) town.ingestUsage(batch(i));
    const start = MAX_BEAD_BACKLOG - 2 * BATCH;
    const results = town.ingest([
      { kind: 'usage', records: batch(start) },
      { kind: 'usage', records: batch(start + BATCH) },
      { kind: 'usage', records: batch(start + 2 * BATCH, 1) },
    ]);
    expect(results.map((r) => (r instanceof AppError ? r.code : 'ok'))).toEqual(['ok', 'ok', 'unavailable']);
  });
});
