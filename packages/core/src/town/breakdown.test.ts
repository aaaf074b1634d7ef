import { fileTown, usageRecord } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import type { UsageRecord } from './usage.js';

const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);

function rec(id: string, agentId: string, model: string, tokens: number, cost: number, at: number): UsageRecord {
  return usageRecord({
    id,
    agentId,
    model,
    inputTokens: tokens,
    outputTokens: 1,
    cacheReadTokens: 2,
    costMicrodollars: cost,
    at,
    mode: 'cumulative',
  });
}

describe('breakdown by agent and model', () => {
  it('splits the town totals exactly, with 0 where the town measured and null where nothing was', () => {
    const now = { t: T0 + 120_000 };
    const town = fileTown(now);
    town.ingestUsage([
      rec('m1', 'a', 'sonnet', 100, 10, T0 + 1000),
      rec('m2', 'b', 'opus', 50, 40, T0 + 1000),
      rec('m3', 'a', 'opus', 7, 3, T0 + 61_000),
    ]);
    // A streamed update of m1 adds only its increase, to the same agent and model.
    town.ingestUsage([rec('m1', 'a', 'sonnet', 130, 12, T0 + 62_000)]);
    const q = { from: T0, to: T0 + 120_000, maxPoints: 2 };
    const byAgent = town.breakdown({ ...q, by: 'agent', metric: 'tokens' });
    expect(byAgent.step).toBe(60_000);
    expect(byAgent.series).toEqual({ a: [103, 10 + 30], b: [53, 0] });
    const byModel = town.breakdown({ ...q, by: 'model', metric: 'cost' });
    expect(byModel.series).toEqual({ sonnet: [10, 2], opus: [40, 3] });
    const totals = town.timeseries(q);
    expect(totals.series.cost_microdollars).toEqual([50, 5]);
    // Never finer than a minute, even when the range would allow 5 s buckets.
    const fine = town.breakdown({ from: T0 - 120_000, to: T0 + 120_000, maxPoints: 500, by: 'agent', metric: 'cost' });
    expect(fine.step).toBe(60_000);
    expect(fine.series.b).toEqual([null, null, 40, 0]);
  });

  it('lists agents with their tokens of the last hour, including agents seen only through usage', () => {
    const now = { t: T0 + 3_600_000 };
    const town = fileTown(now);
    town.ingestEvents([{ id: 'e', at: T0 + 10, type: 'agent', agentId: 'a', role: 'polecat', status: 'working', beadId: 'b1' }]);
    town.ingestUsage([
      rec('old', 'a', 'm', 1000, 1, T0 - 1000),
      rec('new', 'a', 'm', 20, 1, T0 + 5000),
      rec('x', 'ghost', 'm', 5, 1, T0 + 5000),
    ]);
    expect(town.agents().agents).toEqual([
      { id: 'a', role: 'polecat', status: 'working', beadId: 'b1', lastSeenAt: T0 + 10, tokensLastHour: 23 },
      { id: 'ghost', role: null, status: 'unknown', beadId: null, lastSeenAt: null, tokensLastHour: 8 },
    ]);
    expect(town.events({ limit: 10 }).events.map((e) => e.id)).toEqual(['e']);
  });

  it('starts day buckets at local midnight with tz, like the timeseries, and splits its totals exactly', () => {
    const HOUR = 3_600_000;
    const DAY = 24 * HOUR;
    const now = { t: Date.UTC(2026, 10, 10) };
    const town = fileTown(now);
    const tz = 'America/New_York';
    // 23:30 local on Oct 31 (EDT), two on Nov 1 late evening (EST: the 25-hour day), one on Nov 3.
    town.ingestUsage([
      rec('a', 'a', 'sonnet', 1, 1, Date.UTC(2026, 10, 1, 3, 30)),
      rec('b', 'b', 'sonnet', 10, 2, Date.UTC(2026, 10, 2, 4, 30)),
      rec('c', 'a', 'opus', 100, 4, Date.UTC(2026, 10, 2, 4, 59)),
      rec('d', 'a', 'opus', 1000, 8, Date.UTC(2026, 10, 3, 15)),
    ]);
    const from = Date.UTC(2026, 9, 31, 4);
    const q = { from, to: from + 4 * DAY, maxPoints: 5, tz };
    const byAgent = town.breakdown({ ...q, by: 'agent', metric: 'tokens' });
    const totals = town.timeseries(q);
    expect(byAgent.step).toBe(DAY);
    expect(byAgent.t).toEqual([
      Date.UTC(2026, 9, 31, 4),
      Date.UTC(2026, 10, 1, 4),
      Date.UTC(2026, 10, 2, 5),
      Date.UTC(2026, 10, 3, 5),
    ]);
    expect(byAgent.t).toEqual(totals.t);
    // Each record also counts 1 output and 2 cache-read tokens; day 3 (Nov 2) has no data at all.
    expect(byAgent.series).toEqual({ a: [4, 103, null, 1003], b: [0, 13, null, 0] });
    expect(town.breakdown({ ...q, by: 'model', metric: 'cost' }).series).toEqual({
      sonnet: [1, 2, null, 0],
      opus: [0, 4, null, 8],
    });
    expect(totals.series.cost_microdollars).toEqual([1, 6, null, 8]);
    // Without tz the same range splits at UTC midnight.
    const utc = town.breakdown({ from, to: from + 4 * DAY, maxPoints: 5, by: 'agent', metric: 'tokens' });
    expect(utc.t[0]).toBe(Date.UTC(2026, 9, 31));
    expect(utc.series.a).toEqual([null, 4, 103, 1003, null]);
    // Never more buckets than asked for.
    const narrow = town.breakdown({
      from: from + HOUR,
      to: from + 4 * DAY + 2 * HOUR,
      maxPoints: 4,
      tz,
      by: 'agent',
      metric: 'cost',
    });
    expect(narrow.t.length).toBeLessThanOrEqual(4);
    // Steps under a day ignore tz.
    const hourly = town.breakdown({ from, to: from + DAY, maxPoints: 24, tz, by: 'agent', metric: 'tokens' });
    expect(hourly.step).toBe(HOUR);
    expect(hourly.t[0]).toBe(from);
  });
});
