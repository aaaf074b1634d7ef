import { join } from 'node:path';
import { openSqlite } from '@gasgauge/server/sqlite';
import { tempDir, usageRecord } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { Town } from './town.js';
import type { UsageRecord } from './usage.js';
import { INDEX_BATCH, MAX_TAIL_BYTES, tailEntryBytes } from './usage-ids.js';

const T0 = Date.UTC(2026, 10, 1, 12);
const DAY = 86_400_000;
const rec = (id: string, outputTokens: number, at = T0): UsageRecord => usageRecord({ id, outputTokens, at, mode: 'cumulative' });

/** As if the ticks of the two days between had run: pruning's clock moves an hour a tick (tick.ts, pruneClock). */
function caughtUp(town: Town, t: number): void {
  town.sql.run('UPDATE prune_clock SET at = ?', t);
}

function open(file: string, now: { t: number }): Town {
  return new Town(openSqlite(file), () => now.t);
}

describe('usage record ids', () => {
  it('recognise a record whether its id is still in memory, indexed by a tick, or reloaded after a restart', () => {
    const file = join(tempDir(), 'town.sqlite');
    const now = { t: T0 + 1000 };
    let town = open(file, now);
    expect(town.ingestUsage([rec('m1', 10), rec('m2', 5)])).toMatchObject({ accepted: 2 });
    // In memory only (no tick yet).
    expect(town.ingestUsage([rec('m1', 10)])).toMatchObject({ duplicates: 1 });
    // A restart before any tick rebuilds the in-memory ids from the table.
    town = open(file, now);
    expect(town.ingestUsage([rec('m1', 12)])).toMatchObject({ accepted: 1 });
    town.tick();
    expect(town.sql.rows('SELECT COUNT(*) FROM usage_ids')).toEqual([[2]]);
    // Indexed by the tick, and again after a restart.
    expect(town.ingestUsage([rec('m1', 12), rec('m2', 6)])).toMatchObject({ duplicates: 1, accepted: 1 });
    town = open(file, now);
    expect(town.ingestUsage([rec('m2', 6), rec('m3', 1)])).toMatchObject({ duplicates: 1, accepted: 1 });
    const output = town.timeseries({ from: T0, to: T0 + 5000, maxPoints: 1 }).series.output_tokens;
    expect(output).toEqual([12 + 6 + 1]);
  });

  it('index at most INDEX_BATCH new records per tick and catch up on the next', () => {
    const now = { t: T0 + 1000 };
    const town = open(join(tempDir(), 'town.sqlite'), now);
    const n = INDEX_BATCH + 10;
    for (let i = 0; i < n; i += 5000)
      town.ingestUsage(Array.from({ length: Math.min(5000, n - i) }, (_, j) => rec(`r${i + j}`, 1)));
    town.tick();
    expect(town.sql.rows('SELECT COUNT(*) FROM usage_ids')).toEqual([[INDEX_BATCH]]);
    expect(town.ingestUsage([rec(`r${n - 1}`, 1), rec('r0', 1)])).toMatchObject({ duplicates: 2 });
    town.tick();
    expect(town.sql.rows('SELECT COUNT(*) FROM usage_ids')).toEqual([[n]]);
  });

  it('keep at most MAX_TAIL_BYTES of ids in memory however fast records come: ingest past it indexes the oldest first', () => {
    const file = join(tempDir(), 'town.sqlite');
    const now = { t: T0 + 1000 };
    let town = open(file, now);
    // Ids of 200 characters, as the flood that grew a server by 1.1 GB a minute sent: ~70,000 fit the bound.
    const id = (i: number) => `r${String(i).padStart(199, '0')}`;
    const held = Math.floor(MAX_TAIL_BYTES / tailEntryBytes(id(0)));
    const n = held + 12_345;
    for (let i = 0; i < n; i += 5000)
      town.ingestUsage(Array.from({ length: Math.min(5000, n - i) }, (_, j) => rec(id(i + j), 1)));
    // No tick ran: the ids not in usage_ids are the ones held in memory.
    const [[indexed]] = town.sql.rows('SELECT COUNT(*) FROM usage_ids') as [[number]];
    expect(n - indexed).toBe(held);
    expect(town.sql.rows('SELECT COUNT(*) FROM usage_times')).toEqual([[indexed]]);
    // Every record is still recognised, indexed or held, and after a restart.
    expect(town.ingestUsage([rec(id(0), 1), rec(id(n - 1), 1), rec('new', 1)])).toMatchObject({ duplicates: 2, accepted: 1 });
    town = open(file, now);
    expect(town.ingestUsage([rec(id(0), 1), rec(id(n - 1), 1), rec('new', 1)])).toMatchObject({ duplicates: 3 });
    town.tick();
    town.tick();
    expect(town.sql.rows('SELECT COUNT(*) FROM usage_ids')).toEqual([[n + 1]]);
    expect(town.sql.rows('SELECT output_tokens FROM usage_grand_total')).toEqual([[n + 1]]);
  });

  it('index nothing at ingest for a backfill of short ids past two ticks of records (they fit MAX_TAIL_BYTES)', () => {
    const town = open(join(tempDir(), 'town.sqlite'), { t: T0 + 1000 });
    const n = 2 * INDEX_BATCH + 20_000;
    for (let i = 0; i < n; i += 5000)
      town.ingestUsage(
        Array.from({ length: Math.min(5000, n - i) }, (_, j) => rec(`msg_01ABCDEFGH${i + j}:req_01ABCDEFGH${i + j}`, 1)),
      );
    expect(town.sql.rows('SELECT COUNT(*) FROM usage_ids')).toEqual([[0]]);
  });

  it('prune a record and its id once no tier keeps its time any more', () => {
    const now = { t: T0 };
    const town = open(join(tempDir(), 'town.sqlite'), now);
    town.ingestUsage([rec('old', 1, T0 - 399 * DAY), rec('new', 1, T0)]);
    town.tick();
    now.t = T0 + 2 * DAY;
    caughtUp(town, now.t);
    town.tick(); // indexes nothing new; the sweep finds `old` past the horizon
    expect(town.sql.rows('SELECT id FROM usage_records')).toEqual([['new']]);
    expect(town.sql.rows('SELECT id FROM usage_ids')).toEqual([['new']]);
    expect(town.ingestUsage([rec('old', 1, T0 - 399 * DAY)])).toMatchObject({ tooOld: 1 });
  });

  it('recover when an indexed id has lost its record: the id counts again and the tick keeps working', () => {
    const now = { t: T0 + 1000 };
    const town = open(join(tempDir(), 'town.sqlite'), now);
    town.ingestUsage([rec('x', 5), rec('y', 1)]);
    town.tick();
    town.sql.run("DELETE FROM usage_records WHERE id = 'x'"); // 'y' keeps the next rowid from being reused
    expect(town.ingestUsage([rec('x', 5)])).toMatchObject({ accepted: 1 });
    expect(() => town.tick()).not.toThrow();
    expect(town.sql.rows("SELECT COUNT(*) FROM usage_ids WHERE id = 'x'")).toEqual([[1]]);
    expect(town.ingestUsage([rec('x', 5)])).toMatchObject({ duplicates: 1 });
  });

  it('keep the newest record when everything is old, so a new record is still indexed and recognised after a restart', () => {
    const file = join(tempDir(), 'town.sqlite');
    const now = { t: T0 };
    let town = open(file, now);
    town.ingestUsage([rec('old1', 1, T0 - 399 * DAY), rec('old2', 1, T0 - 399 * DAY)]);
    town.tick();
    now.t = T0 + 2 * DAY;
    caughtUp(town, now.t);
    town.tick(); // both past the horizon; the newest stays as the rowid high-water mark
    expect(town.sql.rows('SELECT id FROM usage_records')).toEqual([['old2']]);
    expect(town.ingestUsage([rec('fresh', 3, now.t)])).toMatchObject({ accepted: 1 });
    town.tick();
    town = open(file, now);
    expect(town.ingestUsage([rec('fresh', 3, now.t)])).toMatchObject({ duplicates: 1 });
  });

  it('survive a wall clock set two years ahead and corrected: pruning moves an hour a tick, so a record sent again still counts once', () => {
    const now = { t: T0 };
    const town = open(join(tempDir(), 'town.sqlite'), now);
    // (The newest record always stays, as the rowid high-water mark: m2 is there to be it.)
    town.ingestUsage([rec('m1', 10), rec('m2', 1)]);
    town.tick();
    now.t = T0 + 730 * DAY;
    for (let i = 0; i < 20; i++) town.tick();
    expect(town.sql.rows('SELECT id FROM usage_records ORDER BY id')).toEqual([['m1'], ['m2']]);
    expect(town.sql.rows('SELECT id FROM usage_ids ORDER BY id')).toEqual([['m1'], ['m2']]);
    now.t = T0 + 60_000;
    town.tick();
    expect(town.ingestUsage([rec('m1', 10)])).toMatchObject({ duplicates: 1, accepted: 0 });
    expect(town.sql.rows('SELECT output_tokens FROM usage_grand_total')).toEqual([[11]]);
  });

  it('catch up with a real gap (a server down two days), an hour a tick', () => {
    const now = { t: T0 };
    const town = open(join(tempDir(), 'town.sqlite'), now);
    town.ingestUsage([rec('old', 1, T0 - 399 * DAY), rec('new', 1, T0)]);
    town.tick();
    now.t = T0 + 2 * DAY;
    // `old` is past the horizon once pruning's clock is a day past T0: after 24 ticks.
    for (let i = 0; i < 20; i++) town.tick();
    expect(town.sql.rows('SELECT id FROM usage_records')).toEqual([['old'], ['new']]);
    for (let i = 0; i < 10; i++) town.tick();
    expect(town.sql.rows('SELECT id FROM usage_records')).toEqual([['new']]);
  });
});
