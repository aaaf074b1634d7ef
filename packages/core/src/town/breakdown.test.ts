import { fileTown } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import type { UsageRecord } from './usage.js';

const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);

function rec(id: string, agentId: string, model: string, tokens: number, cost: number, at: number): UsageRecord {
  return {
    id,
    agentId,
    model,
    inputTokens: tokens,
    outputTokens: 1,
    reasoningTokens: 0,
    cacheReadTokens: 2,
    cacheWriteTokens: 0,
    costMicrodollars: cost,
    at,
    mode: 'cumulative',
  };
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
    expect(town.agents()).toEqual([
      { id: 'a', role: 'polecat', status: 'working', beadId: 'b1', lastSeenAt: T0 + 10, tokensLastHour: 23 },
      { id: 'ghost', role: null, status: 'unknown', beadId: null, lastSeenAt: null, tokensLastHour: 8 },
    ]);
    expect(town.events(10).map((e) => e.id)).toEqual(['e']);
  });
});
