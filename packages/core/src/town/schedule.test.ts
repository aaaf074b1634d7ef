import { fileTown, usageRecord } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { ACTIVE_WINDOW_MS, CATCH_UP_TICK_MS, DORMANT_TICK_MS, IDLE_TICK_MS, nextTickAt, tickSpread } from './schedule.js';

const T0 = Date.UTC(2026, 10, 2, 9);
const quiet = { lastIngestAt: null, lastTickAt: null, unsettled: false, locExpiresAt: null };

describe('nextTickAt', () => {
  it('idle while something can still change without ingest; dormant (spread over the hour) once nothing can', () => {
    const now = T0 + 123;
    expect(nextTickAt({ ...quiet, unsettled: true }, now)).toBe(T0 + IDLE_TICK_MS);
    expect(nextTickAt({ ...quiet, locExpiresAt: now + 1 }, now)).toBe(T0 + IDLE_TICK_MS);
    expect(nextTickAt({ ...quiet, locExpiresAt: now }, now)).toBe(T0 + DORMANT_TICK_MS);
    expect(nextTickAt(quiet, now, undefined, 0.5)).toBe(T0 + DORMANT_TICK_MS / 2);
    expect(nextTickAt(quiet, T0 + DORMANT_TICK_MS / 2, undefined, 0.5)).toBe(T0 + (DORMANT_TICK_MS * 3) / 2);
    // Ingest in the active window wins over everything but a tick left behind.
    expect(nextTickAt({ ...quiet, lastIngestAt: now - ACTIVE_WINDOW_MS }, now)).toBe(T0 + 5_000);
    // Usage left for the bead totals: the catch-up interval, whatever else holds (or a shorter active interval).
    expect(nextTickAt({ ...quiet, beadsBehind: true }, now)).toBe(T0 + CATCH_UP_TICK_MS);
    expect(nextTickAt({ ...quiet, beadsBehind: true }, now, { activeMs: 200, idleMs: 60_000 })).toBe(T0 + 200);
  });

  it('spreads town ids over [0, 1)', () => {
    const spreads = Array.from({ length: 1000 }, (_, i) => tickSpread(`town_${i}`));
    expect(Math.min(...spreads)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...spreads)).toBeLessThan(1);
    const quarters = [0, 1, 2, 3].map((q) => spreads.filter((s) => Math.floor(s * 4) === q).length);
    for (const n of quarters) expect(n).toBeGreaterThan(200);
  });
});

describe('a real town goes dormant only when no tick can differ from the last', () => {
  it('stays idle until its cost is settled and its lines-of-code reports expired', () => {
    const now = { t: T0 };
    const town = fileTown(now);
    const dormant = (t: number) => Math.floor(t / DORMANT_TICK_MS) * DORMANT_TICK_MS + DORMANT_TICK_MS;
    town.ingestUsage([usageRecord({ id: 'u1', at: T0, outputTokens: 5, costMicrodollars: 70 })]);
    town.ingestLoc([{ agentId: 'a', additions: 10, deletions: 2 }]);
    // Before a tick the record is not in the bead totals yet: a tick is due at the catch-up interval.
    expect(town.nextTickAt()).toBe(T0 + CATCH_UP_TICK_MS);
    town.tick();
    now.t = T0 + ACTIVE_WINDOW_MS + 1;
    // Cost not yet closed into the outbox: idle.
    expect(town.nextTickAt()).toBe(T0 + ACTIVE_WINDOW_MS + IDLE_TICK_MS);
    town.tick();
    expect(town.outbox()).toHaveLength(1);
    expect(town.nextTickAt()).toBe(T0 + ACTIVE_WINDOW_MS + IDLE_TICK_MS); // outbox not yet settled
    town.ackOutbox(town.outbox()[0]?.seq as number);
    expect(town.nextTickAt()).toBe(dormant(now.t));

    // A lines-of-code report keeps it idle until it expires (the gauges drop then).
    now.t += 1000;
    town.ingestLoc([{ agentId: 'a', additions: 1, deletions: 1 }]);
    now.t += ACTIVE_WINDOW_MS + 1;
    town.sql.run('UPDATE loc SET ttl_ms = ?', ACTIVE_WINDOW_MS + 30_000); // still unexpired now
    expect(town.nextTickAt()).toBe(Math.floor(now.t / IDLE_TICK_MS) * IDLE_TICK_MS + IDLE_TICK_MS);
    now.t += 30_000;
    expect(town.nextTickAt()).toBe(dormant(now.t));
  });
});
