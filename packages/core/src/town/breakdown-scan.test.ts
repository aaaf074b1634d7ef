import { breakdownScan } from '@gasgauge/core/testing/breakdown-scan';
import { fileTown, usageRecord } from '@gasgauge/server/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BreakdownQuery } from './breakdown.js';
import { TIERS } from './tiers.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 9, 1);
/** 45 days of records: the oldest 15 beyond the 1- and 10-minute tiers' 30 days, so ranges read every tier. */
const END = T0 + 45 * DAY;
/** How long after END the breakdowns are asked for: the horizons of the 30-day tiers then fall on and off the slots. */
const AFTER = [0, 17 * MINUTE + 13_000, 3 * DAY + 7 * MINUTE];

describe('breakdown against the full scan it replaced', () => {
  it('sums the breakdown rows below the retention horizon itself, where pruning may have taken the rollup rows', () => {
    const horizon = END - 30 * DAY;
    const now = { t: horizon + 5 * MINUTE };
    const town = fileTown(now);
    town.ingestUsage([
      usageRecord({ id: 'x', agentId: 'a', at: horizon + 5 * MINUTE, inputTokens: 5, costMicrodollars: 1 }),
      usageRecord({ id: 'y', agentId: 'b', at: horizon + 5 * MINUTE, inputTokens: 7, costMicrodollars: 2 }),
      usageRecord({ id: 'z', agentId: 'c', at: horizon + 25 * MINUTE, inputTokens: 11, costMicrodollars: 3 }),
    ]);
    // The 10-minute tier's horizon falls 17 minutes into the first 30-minute bucket: its slot at the horizon is past it.
    now.t = END + 17 * MINUTE;
    const from = horizon + 19 * MINUTE;
    const q = { from, to: from + HOUR, maxPoints: 3, by: 'agent' as const, metric: 'tokens' as const, limit: 1 };
    const expected = {
      step: 30 * MINUTE,
      t: [horizon, horizon + 30 * MINUTE, horizon + HOUR],
      series: [{ key: 'c', values: [11, null, null] }],
      other: { keys: 2, values: [12, null, null] },
    };
    expect(breakdownScan(town.sql, q, now.t)).toEqual(expected);
    expect(town.breakdown(q)).toEqual(expected);
    // The tick pruned the slot's rollup row but none of its breakdown rows yet: the bucket is still what they hold.
    town.sql.run('DELETE FROM rollup_10m WHERE t < ?', now.t - 30 * DAY);
    expect(breakdownScan(town.sql, q, now.t)).toEqual(expected);
    expect(town.breakdown(q)).toEqual(expected);
  });

  it('gives the same answer as breakdownScan on random towns, ranges, steps, zones and limits', () => {
    const record = fc.record({
      agentId: fc.constantFrom('a', 'b', 'c', 'd', '__proto__'),
      model: fc.constantFrom('m1', 'm2', 'm3'),
      // Whole minutes mostly, seconds sometimes: rows of every tier, and records sharing them.
      // Anywhere in the 45 days, or near the 30-day horizon of the clock at the end (END + after - 30 days).
      at: fc
        .tuple(
          fc.oneof(
            fc.integer({ min: 0, max: 45 * 24 * 60 - 1 }).map((m) => T0 + m * MINUTE),
            fc
              .tuple(fc.constantFrom(...AFTER), fc.integer({ min: -60, max: 60 }))
              .map(([a, m]) => END + a - 30 * DAY + m * MINUTE),
          ),
          fc.constantFrom(0, 0, 59_999),
        )
        .map(([t, s]) => t + s),
      // Zero amounts too: a breakdown row without any rollup row.
      input: fc.constantFrom(0, 0, 1, 3),
      reasoning: fc.constantFrom(0, 0, 2),
      cost: fc.constantFrom(0, 0, 2),
      // A late record arrives at the end, after its time has left the finer tiers (or every tier).
      late: fc.boolean(),
    });
    const query = fc.record({
      // Minutes from T0, or from the 30-day horizon at the time of the query (so the first bucket may reach below it).
      from: fc.oneof(
        fc.integer({ min: -2 * 24 * 60, max: 46 * 24 * 60 }).map((m) => ({ horizon: false, m })),
        fc.integer({ min: -30, max: 60 }).map((m) => ({ horizon: true, m })),
      ),
      length: fc
        .tuple(fc.constantFrom(MINUTE, 5 * MINUTE, HOUR, 6 * HOUR, DAY, 3 * DAY, 10 * DAY, 31 * DAY, 46 * DAY), fc.nat(HOUR))
        .map(([l, jitter]) => l + jitter),
      maxPoints: fc.constantFrom(1, 3, 24, 500, 5000),
      tz: fc.constantFrom(undefined, 'UTC', 'America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Lord_Howe'),
      by: fc.constantFrom('agent' as const, 'model' as const),
      metric: fc.constantFrom('tokens' as const, 'cost' as const),
      limit: fc.integer({ min: 1, max: 4 }),
    });
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 40 }),
        fc.option(fc.integer({ min: 0, max: 45 * 24 }), { nil: undefined }),
        fc.constantFrom(...AFTER),
        fc.option(fc.constantFrom(...TIERS.filter((t) => t.breakdownTable)), { nil: undefined }),
        fc.array(query, { minLength: 1, maxLength: 4 }),
        (records, tickHour, after, prunedRollup, queries) => {
          const now = { t: T0 };
          const town = fileTown(now);
          const arrivals = records
            .map((r, i) => ({ ...r, id: `r${i}`, clock: r.late ? END : r.at }))
            .sort((x, y) => x.clock - y.clock);
          const tickAt = tickHour === undefined ? undefined : T0 + tickHour * HOUR;
          let ticked = false;
          for (const r of arrivals) {
            if (tickAt !== undefined && !ticked && tickAt <= r.clock) {
              now.t = tickAt;
              town.tick();
              ticked = true;
            }
            now.t = r.clock;
            town.ingestUsage([
              usageRecord({
                id: r.id,
                agentId: r.agentId,
                model: r.model,
                at: r.at,
                inputTokens: r.input,
                reasoningTokens: r.reasoning,
                costMicrodollars: r.cost,
              }),
            ]);
          }
          now.t = END + after;
          // A tick's pruning takes each table PRUNE_BATCH rows at a time: the rollup rows of a slot past the horizon
          // may be gone while breakdown rows of it remain.
          if (prunedRollup) town.sql.run(`DELETE FROM ${prunedRollup.table} WHERE t < ?`, now.t - prunedRollup.retentionMs);
          for (const { from: f, length, ...rest } of queries) {
            const from = (f.horizon ? now.t - 30 * DAY : T0) + f.m * MINUTE;
            const q: BreakdownQuery = { ...rest, from, to: from + length };
            expect(town.breakdown(q), JSON.stringify(q)).toEqual(breakdownScan(town.sql, q, now.t));
          }
        },
      ),
      { numRuns: 80 },
    );
  });
});
