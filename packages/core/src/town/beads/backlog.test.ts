import { fileTown, usageRecord } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import { ACTIVE_TICK_MS, CATCH_UP_TICK_MS } from '../schedule.js';
import { beadBacklog, MAX_BEAD_READ_BACKLOG } from './backlog.js';

const T0 = Date.UTC(2026, 10, 1);
const BATCH = 5_000;
const batch = (from: number, n = BATCH, agentId?: string) =>
  Array.from({ length: n }, (_, i) =>
    usageRecord({
      id: `u${from + i}`,
      agentId: agentId ?? `a${(from + i) % 9}`,
      at: T0 + from + i,
      beadId: `b${(from + i) % 100}`,
    }),
  );

/** The code each bead read answers with: 'ok', or the AppError's code, status and path. */
function reads(town: ReturnType<typeof fileTown>): unknown[] {
  return [() => town.beads({}), () => town.beads({ sort: 'duration' }), () => town.bead('b1'), () => town.beadStats({})].map(
    (read) => {
      try {
        read();
        return 'ok';
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        return { code: err.code, status: err.status, path: err.path };
      }
    },
  );
}

const refused = { code: 'unavailable', status: 503, path: 'townId' };

describe('bead reads while the per-bead totals catch up', () => {
  it(`are a 503 past ${MAX_BEAD_READ_BACKLOG} records not yet applied, and ingest is never refused for it`, () => {
    const town = fileTown({ t: T0 + 3_600_000 });
    for (let i = 0; i < MAX_BEAD_READ_BACKLOG; i += BATCH) town.ingestUsage(batch(i));
    expect(beadBacklog(town.sql)).toBe(MAX_BEAD_READ_BACKLOG);
    expect(reads(town)).toEqual(['ok', 'ok', 'ok', 'ok']);

    // One more: past the bound; usage keeps being taken, far past it.
    for (let i = MAX_BEAD_READ_BACKLOG; i < 2 * MAX_BEAD_READ_BACKLOG + 1; i += BATCH) {
      expect(town.ingestUsage(batch(i, Math.min(BATCH, 2 * MAX_BEAD_READ_BACKLOG + 1 - i))).accepted).toBeGreaterThan(0);
    }
    expect(reads(town)).toEqual([refused, refused, refused, refused]);

    // While a tick leaves usage behind, the next comes at the catch-up interval (not the 5 s active one).
    const now = T0 + 3_600_000;
    const behind = Math.floor(now / CATCH_UP_TICK_MS) * CATCH_UP_TICK_MS + CATCH_UP_TICK_MS;
    town.tick(); // applies one tick's budget: still one past
    expect(reads(town)).toEqual([refused, refused, refused, refused]);
    expect(town.nextTickAt()).toBe(behind);
    town.tick();
    expect(beadBacklog(town.sql)).toBe(1);
    expect(town.nextTickAt()).toBe(behind);
    town.tick();
    expect(beadBacklog(town.sql)).toBe(0);
    expect(town.nextTickAt()).toBe(Math.floor(now / ACTIVE_TICK_MS) * ACTIVE_TICK_MS + ACTIVE_TICK_MS);
    const stats = town.beadStats({});
    expect(stats.totalCostMicrodollars).toBe(town.sql.rows('SELECT SUM(cost_microdollars) FROM usage_records')[0]?.[0] as number);
  });

  it('counts the records an agent event dated in the past moves to another bead', () => {
    const now = { t: T0 + 3_600_000 };
    const town = fileTown(now);
    const n = MAX_BEAD_READ_BACKLOG + BATCH;
    for (let i = 0; i < n; i += BATCH) town.ingestUsage(batch(i, BATCH, 'a'));
    town.tick();
    town.tick();
    expect(beadBacklog(town.sql)).toBe(0);
    expect(reads(town)).toEqual(['ok', 'ok', 'ok', 'ok']);

    // Agent a worked on bead x from before all its records: every one of them may now belong elsewhere.
    town.ingestEvents([{ id: 'e1', at: T0 - 1, type: 'agent', agentId: 'a', status: 'working', beadId: 'x' }]);
    expect(beadBacklog(town.sql)).toBe(MAX_BEAD_READ_BACKLOG + 1);
    expect(reads(town)).toEqual([refused, refused, refused, refused]);
    town.tick();
    town.tick();
    expect(reads(town)).toEqual(['ok', 'ok', 'ok', 'ok']);
  });
});
