import { DANGEROUS_NAMES, fileTown, usageRecord } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import type { Breakdown } from './breakdown.js';
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

/** The series as [key, values] pairs, in the order the breakdown gives them. */
const pairs = (b: Breakdown) => b.series.map((s) => [s.key, s.values]);
const valuesOf = (b: Breakdown, key: string) => b.series.find((s) => s.key === key)?.values;

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
    expect(pairs(byAgent)).toEqual([
      ['a', [103, 10 + 30]],
      ['b', [53, 0]],
    ]);
    expect(byAgent.other).toBeNull();
    const byModel = town.breakdown({ ...q, by: 'model', metric: 'cost' });
    // Largest total first.
    expect(pairs(byModel)).toEqual([
      ['opus', [40, 3]],
      ['sonnet', [10, 2]],
    ]);
    const totals = town.timeseries(q);
    expect(totals.series.cost_microdollars).toEqual([50, 5]);
    // Never finer than a minute, even when the range would allow 5 s buckets.
    const fine = town.breakdown({ from: T0 - 120_000, to: T0 + 120_000, maxPoints: 500, by: 'agent', metric: 'cost' });
    expect(fine.step).toBe(60_000);
    expect(valuesOf(fine, 'b')).toEqual([null, null, 40, 0]);
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
      expect.objectContaining({
        id: 'a',
        role: 'polecat',
        status: 'working',
        beadId: 'b1',
        lastSeenAt: T0 + 10,
        tokensLastHour: 23,
      }),
      expect.objectContaining({ id: 'ghost', role: null, status: 'unknown', beadId: null, lastSeenAt: null, tokensLastHour: 8 }),
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
    expect(pairs(byAgent)).toEqual([
      ['a', [4, 103, null, 1003]],
      ['b', [0, 13, null, 0]],
    ]);
    expect(pairs(town.breakdown({ ...q, by: 'model', metric: 'cost' }))).toEqual([
      ['opus', [0, 4, null, 8]],
      ['sonnet', [1, 2, null, 0]],
    ]);
    expect(totals.series.cost_microdollars).toEqual([1, 6, null, 8]);
    // Without tz the same range splits at UTC midnight.
    const utc = town.breakdown({ from, to: from + 4 * DAY, maxPoints: 5, by: 'agent', metric: 'tokens' });
    expect(utc.t[0]).toBe(Date.UTC(2026, 9, 31));
    expect(valuesOf(utc, 'a')).toEqual([null, 4, 103, 1003, null]);
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

describe('breakdown keys and bounds', () => {
  const totalOf = (values: readonly (number | null)[]) => values.reduce<number>((s, v) => s + (v ?? 0), 0);

  it('returns agents and models named like Object.prototype properties intact, and pollutes nothing', () => {
    const now = { t: T0 + 120_000 };
    const town = fileTown(now);
    town.ingestUsage(DANGEROUS_NAMES.map((name, i) => rec(`m${i}`, name, name, 10 * (i + 1), i + 1, T0 + 1000)));
    const q = { from: T0, to: T0 + 120_000, maxPoints: 2 };
    const expected = DANGEROUS_NAMES.map((name, i) => [name, [10 * (i + 1) + 3, null]]).reverse();
    expect(pairs(town.breakdown({ ...q, by: 'agent', metric: 'tokens' }))).toEqual(expected);
    expect(pairs(town.breakdown({ ...q, by: 'model', metric: 'tokens' }))).toEqual(expected);
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('0');
  });

  it('keeps two agent-model pairs apart when a name holds NUL (one request: one batch of counters)', () => {
    const now = { t: T0 + 120_000 };
    const town = fileTown(now);
    town.ingestUsage([rec('n1', 'X\u0000y', 'z', 100, 1000, T0 + 1000), rec('n2', 'X', 'y\u0000z', 4, 70, T0 + 1000)]);
    const q = { from: T0, to: T0 + 120_000, maxPoints: 2 };
    expect(pairs(town.breakdown({ ...q, by: 'agent', metric: 'cost' }))).toEqual([
      ['X\u0000y', [1000, null]],
      ['X', [70, null]],
    ]);
    expect(pairs(town.breakdown({ ...q, by: 'model', metric: 'tokens' }))).toEqual([
      ['z', [103, null]],
      ['y\u0000z', [7, null]],
    ]);
  });

  it('gives the top `limit` keys a series each and sums the rest into `other`, exactly at the edge', () => {
    const now = { t: T0 + 180_000 };
    const town = fileTown(now);
    // Agent i uses i + 1 tokens in each of two minutes (plus 3 fixed tokens per record, see rec).
    const agents = Array.from({ length: 21 }, (_, i) => `agent-${String(i).padStart(2, '0')}`);
    const ingest = (names: string[]) =>
      town.ingestUsage(
        names.flatMap((name) => {
          const i = agents.indexOf(name);
          return [rec(`${name}-1`, name, 'm', i + 1, i + 1, T0 + 1000), rec(`${name}-2`, name, 'm', i + 1, 2 * i, T0 + 61_000)];
        }),
      );
    const q = { from: T0, to: T0 + 180_000, maxPoints: 3, by: 'agent' as const, metric: 'tokens' as const };
    ingest(agents.slice(0, 20));
    const twenty = town.breakdown(q);
    expect(twenty.series.map((s) => s.key)).toEqual(agents.slice(0, 20).reverse());
    expect(twenty.other).toBeNull();

    ingest(agents.slice(20));
    const all = town.breakdown(q);
    expect(all.series).toHaveLength(20);
    // The newest agent has the largest totals: it leads, and the smallest (agent-00) moves to other.
    expect(all.series[0]?.key).toBe('agent-20');
    expect(all.series.map((s) => s.key)).not.toContain('agent-00');
    expect(all.other).toEqual({ keys: 1, values: [1 + 3, 1 + 3, null] });

    const one = town.breakdown({ ...q, limit: 1 });
    expect(one.series.map((s) => s.key)).toEqual(['agent-20']);
    expect(one.other?.keys).toBe(20);

    // Top series plus other equal the town's totals in every bucket, for tokens and for cost, with and without tz.
    for (const extra of [{}, { tz: 'Asia/Kolkata', to: T0 + 3 * 86_400_000, maxPoints: 3 }]) {
      const ts = town.timeseries({ ...q, ...extra });
      const tokens = ts.t.map((_, b) =>
        (['input_tokens', 'output_tokens', 'reasoning_tokens', 'cache_read_tokens', 'cache_write_tokens'] as const).reduce(
          (s, c) => s + (ts.series[c][b] ?? 0),
          0,
        ),
      );
      for (const [metric, expected] of [
        ['tokens', tokens],
        ['cost', ts.series.cost_microdollars.map((v) => v ?? 0)],
      ] as const) {
        for (const limit of [1, 5, 20, 21, 50]) {
          const bd = town.breakdown({ ...q, ...extra, metric, limit });
          expect(bd.t).toEqual(ts.t);
          const sums = bd.t.map((_, b) =>
            [...bd.series.map((s) => s.values), bd.other?.values ?? []].reduce((s, v) => s + (v[b] ?? 0), 0),
          );
          expect(sums, `${metric} limit ${limit}`).toEqual(expected);
          expect(bd.series).toHaveLength(Math.min(limit, 21));
          expect(bd.other?.keys ?? 0).toBe(21 - Math.min(limit, 21));
        }
      }
    }
    expect(totalOf(all.series[0]?.values ?? [])).toBe(2 * (21 + 3));
  });

  it('keeps an agent called "other" apart from the other series, and breaks ties by key', () => {
    const now = { t: T0 + 60_000 };
    const town = fileTown(now);
    town.ingestUsage([
      rec('1', 'other', 'm', 100, 1, T0),
      rec('2', 'b', 'm', 5, 1, T0),
      rec('3', 'a', 'm', 5, 1, T0),
      rec('4', 'c', 'm', 1, 1, T0),
    ]);
    const bd = town.breakdown({ from: T0, to: T0 + 60_000, maxPoints: 1, by: 'agent', metric: 'tokens', limit: 3 });
    expect(pairs(bd)).toEqual([
      ['other', [103]],
      ['a', [8]],
      ['b', [8]],
    ]);
    expect(bd.other).toEqual({ keys: 1, values: [4] });
  });

  it('refuses a limit out of bounds, naming it', () => {
    const town = fileTown({ t: T0 });
    for (const limit of [0, 51, 1.5]) {
      expect(() => town.breakdown({ from: T0, to: T0 + 60_000, by: 'agent', metric: 'cost', limit })).toThrow(
        expect.objectContaining({ code: 'bad_request', path: 'limit' }),
      );
    }
  });
});
