import { fileTown, loggingTown, usageRecord } from '@gasgauge/server/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RUNAWAY_RULES, MAX_AGENT_ALERTS_PER_TICK } from './runaway.js';

const T0 = Date.UTC(2026, 10, 3, 10, 0, 0);
const MINUTE = 60_000;
const AGENTS = 600;

/**
 * AGENTS agents with `history` records each over the hour before T0 + 40 min; then half of them spend
 * $6 in a minute (spend rate, idle: no bead) and half spent $2 on their bead 20 minutes ago with nothing
 * changing (no progress).
 */
function busyTown(history: number) {
  const now = { t: T0 };
  const { town, log } = loggingTown(now);
  const ids = Array.from({ length: AGENTS }, (_, i) => i);
  town.ingestEvents(
    ids.map((i) => ({
      id: `e${i}`,
      at: T0,
      type: 'agent' as const,
      agentId: `a${i}`,
      status: 'working' as const,
      beadId: `b${i}`,
    })),
  );
  const old = ids.flatMap((i) =>
    Array.from({ length: history }, (_, k) =>
      usageRecord({ id: `h${i}-${k}`, agentId: `a${i}`, at: T0 + Math.floor((k * 60 * MINUTE) / history), costMicrodollars: 1 }),
    ),
  );
  for (let k = 0; k < old.length; k += 500) town.ingestUsage(old.slice(k, k + 500));
  now.t = T0 + 40 * MINUTE;
  const spenders = ids.filter((i) => i % 2 === 0);
  const stuck = ids.filter((i) => i % 2 === 1);
  town.ingestEvents(
    spenders.map((i) => ({
      id: `i${i}`,
      at: now.t - 35 * MINUTE,
      type: 'agent' as const,
      agentId: `a${i}`,
      status: 'idle' as const,
    })),
  );
  town.ingestUsage([
    ...stuck.map((i) => usageRecord({ id: `s${i}`, agentId: `a${i}`, at: now.t - 20 * MINUTE, costMicrodollars: 2_000_000 })),
    ...spenders.map((i) => usageRecord({ id: `r${i}`, agentId: `a${i}`, at: now.t, costMicrodollars: 6_000_000 })),
  ]);
  const tick = () => {
    log.length = 0;
    const raised = () => town.outbox().filter((e) => e.kind === 'runaway').length;
    const before = raised();
    town.tick();
    const work = [...log];
    now.t += MINUTE;
    return { alerts: raised() - before, statements: work.length, rows: work.reduce((s, l) => s + l.rows, 0), work };
  };
  return { town, tick };
}

describe('the spend-rate and no-progress rules with many agents', () => {
  it('raise at most MAX_AGENT_ALERTS_PER_TICK a tick, flag every offender, and do work independent of history', () => {
    const { town, tick } = busyTown(20);
    const ticks = Array.from({ length: AGENTS / MAX_AGENT_ALERTS_PER_TICK + 1 }, tick);
    for (const t of ticks.slice(0, -1)) expect(t.alerts).toBe(MAX_AGENT_ALERTS_PER_TICK);
    expect(ticks.at(-1)?.alerts).toBe(0);
    const episodes = town.sql.rows('SELECT rule, COUNT(*) FROM runaway_episodes GROUP BY rule ORDER BY rule');
    expect(episodes).toEqual([
      ['noProgress', AGENTS / 2],
      ['spendRate', AGENTS / 2],
    ]);
    // No tick reads records by time (recordsOf: the old rules summed a window of records per agent).
    for (const t of ticks)
      for (const { statement } of t.work) expect(statement).not.toContain('FROM usage_times t INDEXED BY usage_times_first_at');

    // A steady tick: the same statements and rows whatever the history (20 or 60 records per agent).
    const steady = tick();
    const longer = busyTown(60);
    for (let i = 0; i <= AGENTS / MAX_AGENT_ALERTS_PER_TICK; i++) longer.tick();
    const steadyLonger = longer.tick();
    expect({ statements: steadyLonger.statements, rows: steadyLonger.rows }).toEqual({
      statements: steady.statements,
      rows: steady.rows,
    });
    // The rules read each offender's running sum and episode: rows grow with offenders, not with records.
    expect(steady.statements).toBeLessThan(100);
    expect(steady.rows).toBeLessThan(4 * AGENTS);
  });
});

describe('the running window sums', () => {
  it('equal each agent’s cost over the window’s minutes after late, re-dated and growing records and any ticks', () => {
    const record = fc.record({
      id: fc.integer({ min: 0, max: 15 }),
      minutesAgo: fc.integer({ min: -1, max: 25 }),
      cost: fc.integer({ min: 1, max: 1000 }),
    });
    const step = fc.record({
      records: fc.array(record, { maxLength: 5 }),
      advance: fc.integer({ min: 0, max: 12 }),
      tick: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 15 }), (steps, windowMinutes) => {
        const now = { t: T0 + 17_000 };
        const town = fileTown(now);
        town.setRunawayRules({ ...DEFAULT_RUNAWAY_RULES, spendRate: { enabled: true, microdollars: 1e12, windowMinutes } });
        for (const s of steps) {
          // Cumulative: a record's id keeps its agent; a later copy may be older (re-dated) or larger (grows).
          town.ingestUsage(
            s.records.map((r) =>
              usageRecord({
                id: `r${r.id}`,
                agentId: `a${r.id % 3}`,
                at: now.t - r.minutesAgo * MINUTE,
                costMicrodollars: r.cost,
              }),
            ),
          );
          if (s.tick) town.tick();
          now.t += s.advance * MINUTE;
        }
        town.tick();
        const end = Math.floor(now.t / MINUTE);
        const expected = town.sql.rows(
          `SELECT agent_id, SUM(cost_microdollars) FROM usage_records WHERE first_at / ${MINUTE} > ? AND first_at / ${MINUTE} <= ?
           GROUP BY agent_id HAVING SUM(cost_microdollars) > 0 ORDER BY agent_id`,
          end - windowMinutes,
          end,
        );
        const got = town.sql.rows(
          "SELECT agent_id, cost_microdollars FROM runaway_window WHERE rule = 'spendRate' AND cost_microdollars != 0 ORDER BY agent_id",
        );
        expect(got).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });
});
