import { AppError, MAX_HOUR_COST_MICRODOLLARS, MAX_RECORD_COST_MICRODOLLARS, type UsageRecord } from '@gasgauge/core';
import { fileTown, usageRecord } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { GroupCommit, MAX_GROUP_ITEMS } from './group-commit.js';

const T0 = Date.UTC(2026, 10, 1, 12);
const rec = (id: string, inputTokens: number): UsageRecord => usageRecord({ id, inputTokens, costMicrodollars: 1, at: T0 });

/** A town on a SQLite file and a group commit over it whose deferred writes wait in `deferred` until the test runs them. */
function setup() {
  const town = fileTown({ t: T0 + 1000 });
  const deferred: (() => void)[] = [];
  const writer = new GroupCommit(
    () => town,
    (fn) => deferred.push(fn),
  );
  return { town, deferred, writer };
}

describe('group commit', () => {
  it('writes the requests gathered in one turn in one transaction, each counted once, in order', async () => {
    const { town, deferred, writer } = setup();
    const a = writer.submit('t', { kind: 'usage', records: [rec('x', 5), rec('y', 7)] });
    const b = writer.submit('t', { kind: 'usage', records: [rec('x', 5)] });
    const c = writer.submit('t', { kind: 'events', events: [{ id: 'e', at: T0, type: 'note', name: 'n' }] });
    expect(deferred).toHaveLength(1);
    // Outer transactions only: a usage request runs in a savepoint inside the group's transaction.
    let commits = 0;
    let depth = 0;
    const transaction = town.sql.transaction.bind(town.sql);
    town.sql.transaction = (fn) => {
      if (depth === 0) commits++;
      depth++;
      try {
        return transaction(fn);
      } finally {
        depth--;
      }
    };
    deferred[0]?.();
    expect(await a).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(await b).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await c).toMatchObject({ accepted: 1 });
    expect(commits).toBe(1);
    expect(town.timeseries({ from: T0, to: T0 + 5000, maxPoints: 1 }).series.input_tokens).toEqual([12]);
  });

  it('fails every request of a group whose transaction fails, and stores none of them', async () => {
    const { town, deferred, writer } = setup();
    const good = writer.submit('t', { kind: 'usage', records: [rec('g', 3)] });
    // An event whose body cannot be serialised makes the transaction throw half-way.
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    const bad = writer.submit('t', { kind: 'events', events: [{ id: 'b', at: T0, type: 'note', name: 'n', data: cyclic }] });
    deferred[0]?.();
    await expect(good).rejects.toThrow();
    await expect(bad).rejects.toThrow();
    expect(town.timeseries({ from: T0, to: T0 + 5000, maxPoints: 1 }).series.input_tokens).toEqual([null]);
    // A later group is unaffected.
    const again = writer.submit('t', { kind: 'usage', records: [rec('g', 3)] });
    deferred[1]?.();
    expect(await again).toMatchObject({ accepted: 1 });
  });

  it('refuses only the request that breaks an hour bound; the others in its group commit', async () => {
    const { town, deferred, writer } = setup();
    const big = (id: string) => usageRecord({ id, costMicrodollars: MAX_RECORD_COST_MICRODOLLARS, at: T0 });
    const n = MAX_HOUR_COST_MICRODOLLARS / MAX_RECORD_COST_MICRODOLLARS;
    const fills = writer.submit('t', { kind: 'usage', records: Array.from({ length: n }, (_, i) => big(`f${i}`)) });
    const over = writer.submit('t', { kind: 'usage', records: [usageRecord({ id: 'o', inputTokens: 4, at: T0 }), big('over')] });
    const other = writer.submit('t', { kind: 'usage', records: [usageRecord({ id: 'p', inputTokens: 6, at: T0 })] });
    deferred[0]?.();
    expect(await fills).toMatchObject({ accepted: n });
    await expect(over).rejects.toSatisfy((e) => e instanceof AppError && e.path === 'records[1].costMicrodollars');
    expect(await other).toMatchObject({ accepted: 1 });
    const hour = town.timeseries({ from: T0, to: T0 + 5000, maxPoints: 1 });
    expect(hour.series.cost_microdollars).toEqual([MAX_HOUR_COST_MICRODOLLARS]);
    expect(hour.series.input_tokens).toEqual([6]);
  });

  it(`writes at most ${MAX_GROUP_ITEMS} items a transaction, oldest first, the rest after the host's defer again`, async () => {
    const { town, deferred, writer } = setup();
    const sizes: number[] = [];
    const ingest = town.ingest.bind(town);
    town.ingest = (jobs) => {
      sizes.push(jobs.reduce((n, j) => n + (j.kind === 'usage' ? j.records.length : 0), 0));
      return ingest(jobs);
    };
    const batch = (b: number, n: number) => Array.from({ length: n }, (_, i) => rec(`g${b}-${i}`, 1));
    // 3,000 + 3,000 + 1 + 5,000 + 2,000: a group takes requests while they fit (the first whatever its size).
    const answers = [3000, 3000, 1, MAX_GROUP_ITEMS, 2000].map((n, b) =>
      writer.submit('t', { kind: 'usage', records: batch(b, n) }),
    );
    expect(deferred).toHaveLength(1);
    for (let i = 0; i < deferred.length; i++) deferred[i]?.();
    expect(sizes).toEqual([3000, 3001, MAX_GROUP_ITEMS, 2000]);
    expect(deferred).toHaveLength(4);
    expect((await Promise.all(answers)).map((a) => a.accepted)).toEqual([3000, 3000, 1, MAX_GROUP_ITEMS, 2000]);
    expect(town.timeseries({ from: T0, to: T0 + 5000, maxPoints: 1 }).series.input_tokens).toEqual([13_001]);
  });
});
