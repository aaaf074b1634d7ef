import { describe, expect, it } from 'vitest';
import { MAX_SQL_PARAMS, type Sql } from '../sql.js';

/**
 * Runs `body` against a fresh, empty database of the adapter under test (a temp file, a new Durable
 * Object), synchronously as the core uses it; resolves once the database is closed again.
 */
export type WithSql = (body: (sql: Sql) => void) => Promise<void> | void;

const MAX = Number.MAX_SAFE_INTEGER; // 2^53 - 1
const BIG = [2 ** 31, 2 ** 32 + 1, 2 ** 52 + 3, MAX, -MAX];

/**
 * What the core relies on from every `Sql` adapter (better-sqlite3 on Node, `ctx.storage.sql` in a
 * Durable Object): each host's tests call `sqlContract('<adapter>', withSql)`. The port has no BLOB
 * (`SqlValue` is number | string | null): nothing in the core stores bytes, so no adapter is asked to.
 */
export function sqlContract(name: string, withSql: WithSql): void {
  describe(`Sql contract: ${name}`, () => {
    it('run() returns the number of rows a statement changed', () =>
      withSql((sql) => {
        sql.run('CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER NOT NULL)');
        expect(sql.run('INSERT INTO t (k, n) VALUES (?, ?)', 'a', 1)).toBe(1);
        expect(sql.run('INSERT INTO t (k, n) VALUES (?, ?), (?, ?), (?, ?)', 'b', 2, 'c', 3, 'd', 4)).toBe(3);
        expect(sql.run('INSERT INTO t (k, n) VALUES (?, ?) ON CONFLICT (k) DO NOTHING', 'a', 9)).toBe(0);
        expect(sql.run('UPDATE t SET n = n + 1 WHERE n >= ?', 2)).toBe(3);
        expect(sql.run('UPDATE t SET n = 0 WHERE k = ?', 'none')).toBe(0);
        expect(sql.run('INSERT INTO t (k, n) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET n = excluded.n', 'a', 7)).toBe(1);
        expect(sql.run('DELETE FROM t WHERE k IN (?, ?)', 'a', 'b')).toBe(2);
        expect(sql.rows('SELECT k, n FROM t ORDER BY k')).toEqual([
          ['c', 4],
          ['d', 5],
        ]);
      }));

    it('sizeBytes() is a whole number of bytes that grows with what is written (the town storage quota reads it)', () =>
      withSql((sql) => {
        sql.run('CREATE TABLE t (n INTEGER PRIMARY KEY, s TEXT NOT NULL)');
        const before = sql.sizeBytes();
        expect(Number.isSafeInteger(before) && before > 0).toBe(true);
        const text = 'x'.repeat(1000);
        sql.transaction(() => {
          for (let i = 0; i < 2000; i++) sql.run('INSERT INTO t (s) VALUES (?)', text);
        });
        const after = sql.sizeBytes();
        expect(Number.isSafeInteger(after)).toBe(true);
        // 2,000 rows of 1,000 bytes: at least that much more, and not wildly more.
        expect(after - before).toBeGreaterThanOrEqual(2_000_000);
        expect(after - before).toBeLessThan(4_000_000);
      }));

    it(`a statement takes at most ${MAX_SQL_PARAMS} bound parameters (Cloudflare's limit), on every adapter`, () =>
      withSql((sql) => {
        const select = (n: number) => sql.rows(`SELECT ${Array(n).fill('?').join(' + ')}`, ...Array<number>(n).fill(1));
        expect(select(MAX_SQL_PARAMS)).toEqual([[MAX_SQL_PARAMS]]);
        expect(() => select(MAX_SQL_PARAMS + 1)).toThrow();
        sql.run('CREATE TABLE t (n INTEGER)');
        const insert = (n: number) =>
          sql.run(`INSERT INTO t (n) VALUES ${Array(n).fill('(?)').join(', ')}`, ...Array<number>(n).fill(1));
        expect(() => insert(MAX_SQL_PARAMS + 1)).toThrow();
        expect(sql.rows('SELECT COUNT(*) FROM t')).toEqual([[0]]);
        expect(insert(MAX_SQL_PARAMS)).toBe(MAX_SQL_PARAMS);
      }));

    it('rows() gives each row in column order, duplicate names included; all() keys by column name', () =>
      withSql((sql) => {
        sql.run('CREATE TABLE t (a INTEGER, b TEXT, c INTEGER)');
        sql.run('INSERT INTO t (a, b, c) VALUES (1, ?, 3)', 'two');
        expect(sql.rows('SELECT c, a, b FROM t')).toEqual([[3, 1, 'two']]);
        expect(sql.rows('SELECT a AS x, c AS x FROM t')).toEqual([[1, 3]]);
        expect(sql.all('SELECT c, a, b FROM t')).toEqual([{ c: 3, a: 1, b: 'two' }]);
        expect(sql.rows('SELECT a FROM t WHERE a = ?', 99)).toEqual([]);
      }));

    it('integers above 2^31 and up to 2^53 - 1 come back exact, as numbers, and sum exactly', () =>
      withSql((sql) => {
        sql.run('CREATE TABLE t (i INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
        for (const [i, n] of BIG.entries()) sql.run('INSERT INTO t (i, n) VALUES (?, ?)', i, n);
        const back = sql.rows('SELECT n FROM t ORDER BY i').map((r) => r[0]);
        expect(back).toEqual(BIG);
        for (const n of back) expect(typeof n).toBe('number');
        expect(sql.all<{ n: number }>('SELECT n FROM t WHERE i = 3')).toEqual([{ n: MAX }]);
        expect(sql.rows('SELECT n FROM t WHERE n = ?', MAX)).toEqual([[MAX]]);
        // 2^52 + (2^52 - 1) = 2^53 - 1: the largest sum the core's bounds allow, exact.
        expect(sql.rows('SELECT ? + ?', 2 ** 52, 2 ** 52 - 1)).toEqual([[MAX]]);
        expect(sql.rows('SELECT SUM(n) FROM t WHERE i IN (0, 1)')).toEqual([[2 ** 31 + 2 ** 32 + 1]]);
        expect(sql.run('UPDATE t SET n = n + ? WHERE i = 0', 2 ** 40)).toBe(1);
        expect(sql.rows('SELECT n FROM t WHERE i = 0')).toEqual([[2 ** 31 + 2 ** 40]]);
      }));

    it('null is stored and read as null, distinct from 0 and the empty string; text round-trips', () =>
      withSql((sql) => {
        sql.run('CREATE TABLE t (i INTEGER PRIMARY KEY, n INTEGER, s TEXT)');
        sql.run('INSERT INTO t (i, n, s) VALUES (1, ?, ?), (2, 0, ?), (3, ?, ?)', null, null, '', null, 'é 🚀 \u0000 end');
        expect(sql.rows('SELECT n, s FROM t ORDER BY i')).toEqual([
          [null, null],
          [0, ''],
          [null, 'é 🚀 \u0000 end'],
        ]);
        expect(sql.all('SELECT n, s FROM t WHERE i = 1')).toEqual([{ n: null, s: null }]);
        expect(sql.rows('SELECT SUM(n), MAX(n) FROM t WHERE i > 5')).toEqual([[null, null]]);
        expect(sql.rows('SELECT COUNT(*) FROM t WHERE n IS NULL')).toEqual([[2]]);
      }));

    it('transaction() commits every write of fn and returns its value', () =>
      withSql((sql) => {
        sql.run('CREATE TABLE t (k TEXT PRIMARY KEY)');
        const out = sql.transaction(() => {
          sql.run('INSERT INTO t (k) VALUES (?)', 'a');
          sql.run('INSERT INTO t (k) VALUES (?)', 'b');
          return 'done';
        });
        expect(out).toBe('done');
        expect(sql.rows('SELECT k FROM t ORDER BY k')).toEqual([['a'], ['b']]);
      }));

    it('a throw inside transaction() undoes all of its writes and reaches the caller unchanged', () =>
      withSql((sql) => {
        sql.run('CREATE TABLE t (k TEXT PRIMARY KEY)');
        const boom = new Error('boom');
        expect(() =>
          sql.transaction(() => {
            sql.run('INSERT INTO t (k) VALUES (?)', 'a');
            throw boom;
          }),
        ).toThrow(boom);
        // A failing statement (a constraint) rolls back the writes before it too.
        expect(() =>
          sql.transaction(() => {
            sql.run('INSERT INTO t (k) VALUES (?)', 'b');
            sql.run('INSERT INTO t (k) VALUES (?)', 'b');
          }),
        ).toThrow();
        expect(sql.rows('SELECT COUNT(*) FROM t')).toEqual([[0]]);
        // The adapter is usable after a rollback.
        sql.transaction(() => sql.run('INSERT INTO t (k) VALUES (?)', 'c'));
        expect(sql.rows('SELECT k FROM t')).toEqual([['c']]);
      }));

    it('a failing statement changes nothing, even outside a transaction', () =>
      withSql((sql) => {
        sql.run('CREATE TABLE t (k INTEGER PRIMARY KEY)');
        sql.run('INSERT INTO t (k) VALUES (2)');
        expect(() => sql.run('INSERT INTO t (k) VALUES (1), (2), (3)')).toThrow();
        expect(sql.rows('SELECT k FROM t')).toEqual([[2]]);
      }));

    it('a nested transaction is a savepoint: its throw undoes only its own writes', () =>
      withSql((sql) => {
        sql.run('CREATE TABLE t (k TEXT PRIMARY KEY)');
        sql.transaction(() => {
          sql.run('INSERT INTO t (k) VALUES (?)', 'outer-before');
          expect(() =>
            sql.transaction(() => {
              sql.run('INSERT INTO t (k) VALUES (?)', 'inner');
              throw new Error('refused');
            }),
          ).toThrow('refused');
          expect(sql.transaction(() => sql.run('INSERT INTO t (k) VALUES (?)', 'inner-ok'))).toBe(1);
          sql.run('INSERT INTO t (k) VALUES (?)', 'outer-after');
        });
        expect(sql.rows('SELECT k FROM t ORDER BY k')).toEqual([['inner-ok'], ['outer-after'], ['outer-before']]);
      }));

    it('an outer throw undoes the writes of inner transactions that had succeeded', () =>
      withSql((sql) => {
        sql.run('CREATE TABLE t (k TEXT PRIMARY KEY)');
        expect(() =>
          sql.transaction(() => {
            sql.transaction(() => sql.run('INSERT INTO t (k) VALUES (?)', 'inner'));
            sql.transaction(() => sql.transaction(() => sql.run('INSERT INTO t (k) VALUES (?)', 'deeper')));
            throw new Error('outer fails');
          }),
        ).toThrow('outer fails');
        expect(sql.rows('SELECT COUNT(*) FROM t')).toEqual([[0]]);
      }));
  });
}
