import { join } from 'node:path';
import { openSqlite } from '@gasgauge/server/sqlite';
import { tempDir } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { NO_TICKS, type TickHealth, TickHealthBook } from './tick-health.js';
import { Town } from './town.js';

const intervals = { activeMs: 5_000, idleMs: 60_000 };

describe('tick health', () => {
  it('backs off from the active interval, doubling up to the idle interval, and resets on success', () => {
    const book = new TickHealthBook();
    const waits = Array.from({ length: 6 }, (_, i) => book.failed('t', new Error('disk'), 1000 * i, intervals) - 1000 * i);
    expect(waits).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000]);
    expect(book.get('t')).toMatchObject({ failures: 6, failuresTotal: 6, lastErrorAt: 5000, lastOkAt: null });
    book.ok('t', 9000);
    expect(book.get('t')).toEqual({
      lastOkAt: 9000,
      failures: 0,
      failuresTotal: 6,
      lastError: null,
      lastErrorAt: null,
      retryAt: null,
    });
    expect(book.failed('t', new Error('again'), 10_000, intervals)).toBe(15_000);
    expect(book.get('other')).toMatchObject({ failures: 0, lastOkAt: null });
  });

  it('shows a client error as it is and an internal one only as having happened', () => {
    const book = new TickHealthBook();
    book.failed('a', new AppError('bad_request', 'a budget zone is unknown'), 0, intervals);
    book.failed('b', new Error('SQLITE_CORRUPT: /data/towns/b.sqlite'), 0, intervals);
    expect(book.get('a').lastError).toBe('a budget zone is unknown');
    expect(book.get('b').lastError).toBe('internal error (the server log has the details)');
  });

  it('is saved when more than lastOkAt changes, so a healthy tick writes nothing', () => {
    const saved: TickHealth[] = [];
    const book = new TickHealthBook({ load: () => NO_TICKS, save: (_id, h) => saved.push(h) });
    book.ok('t', 1000);
    book.ok('t', 2000);
    expect(saved).toEqual([]);
    book.failed('t', new Error('disk'), 3000, intervals);
    book.failed('t', new Error('disk'), 4000, intervals);
    book.ok('t', 5000);
    book.ok('t', 6000);
    expect(saved.map((h) => [h.failures, h.lastOkAt])).toEqual([
      [1, 2000],
      [2, 2000],
      [0, 5000],
    ]);
    expect(book.get('t').lastOkAt).toBe(6000);
  });

  it("is read back from the town's database after a reopen, lastOkAt from the town's last tick", () => {
    const file = join(tempDir(), 'town.sqlite');
    const now = { t: 1_000_000 };
    let sql = openSqlite(file);
    let town = new Town(sql, () => now.t);
    const reopen = () => {
      sql.close();
      sql = openSqlite(file);
      town = new Town(sql, () => now.t);
    };
    const book = () => new TickHealthBook({ load: () => town.tickHealth(), save: (_id, h) => town.saveTickHealth(h) });
    expect(book().get('t')).toEqual(NO_TICKS);

    // Failures are saved as they happen; then healthy ticks, unsaved, move lastOkAt with the town's own last tick.
    let b = book();
    b.failed('t', new AppError('bad_request', 'a budget zone is unknown'), now.t, intervals);
    town.tick();
    b.ok('t', now.t);
    now.t += 5000;
    town.tick();
    b.ok('t', now.t);

    reopen();
    b = book();
    expect(b.get('t')).toEqual({ ...NO_TICKS, lastOkAt: now.t, failuresTotal: 1 });
    b.failed('t', new Error('disk'), now.t + 1000, intervals);

    reopen();
    expect(book().get('t')).toMatchObject({ lastOkAt: now.t, failures: 1, failuresTotal: 2, lastErrorAt: now.t + 1000 });
    sql.close();
  });
});
