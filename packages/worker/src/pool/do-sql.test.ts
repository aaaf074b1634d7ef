import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { Sql } from '@gasgauge/core';
import { sqlContract } from '@gasgauge/core/testing/sql-contract';
import { expect, it } from 'vitest';
import { doSql } from '../do-sql.js';

/** Runs fn against a fresh town object's storage through the adapter. */
function withSql<T>(name: string, fn: (sql: Sql) => T): Promise<T> {
  return runInDurableObject(env.TOWN.get(env.TOWN.idFromName(name)), (_, state) => fn(doSql(state.storage)));
}

it('counts changed rows as better-sqlite3 does (not rowsWritten, which adds index rows)', async () => {
  const counts = await withSql('sql-changes', (sql) => {
    sql.run('CREATE TABLE t (a INTEGER PRIMARY KEY, b INTEGER)');
    sql.run('CREATE INDEX t_b ON t (b)');
    return [
      sql.run('INSERT INTO t (a, b) VALUES (1, 1), (2, 2)'),
      sql.run('INSERT INTO t (a, b) VALUES (2, 5) ON CONFLICT (a) DO UPDATE SET b = excluded.b'),
      sql.run('INSERT INTO t (a, b) VALUES (2, 5) ON CONFLICT (a) DO NOTHING'),
      sql.run('UPDATE t SET b = 0 WHERE a > 100'),
      sql.run('DELETE FROM t'),
    ];
  });
  expect(counts).toEqual([2, 1, 0, 0, 2]);
});

it('nests transactions as savepoints: an inner throw undoes only the inner writes, an outer throw all', async () => {
  const left = await withSql('sql-nested', (sql) => {
    sql.run('CREATE TABLE t (a INTEGER PRIMARY KEY)');
    sql.transaction(() => {
      sql.run('INSERT INTO t VALUES (1)');
      expect(() =>
        sql.transaction(() => {
          sql.run('INSERT INTO t VALUES (2)');
          throw new Error('inner');
        }),
      ).toThrow('inner');
      sql.run('INSERT INTO t VALUES (3)');
    });
    expect(() =>
      sql.transaction(() => {
        sql.run('INSERT INTO t VALUES (4)');
        sql.run('INSERT INTO t VALUES (1)'); // a constraint error rolls back the 4 as well
      }),
    ).toThrow(/UNIQUE/);
    return sql.rows('SELECT a FROM t ORDER BY a').map((r) => r[0]);
  });
  expect(left).toEqual([1, 3]);
});

it('keeps integers above 2^31 exact up to 2^53 - 1, and nulls', async () => {
  const rows = await withSql('sql-values', (sql) => {
    sql.run('CREATE TABLE t (a INTEGER, b TEXT)');
    sql.run('INSERT INTO t VALUES (?, ?), (?, ?)', 2 ** 31 + 7, null, Number.MAX_SAFE_INTEGER, 'x');
    return {
      rows: sql.rows('SELECT a, b FROM t ORDER BY a'),
      all: sql.all<{ s: number }>('SELECT SUM(a) - ? AS s FROM t', 2 ** 53),
    };
  });
  expect(rows.rows).toEqual([
    [2 ** 31 + 7, null],
    [Number.MAX_SAFE_INTEGER, 'x'],
  ]);
  expect(rows.all).toEqual([{ s: 2 ** 31 + 6 }]);
});

it('refuses more than 100 bound parameters, as Cloudflare documents: any core statement past it fails the workerd tests', async () => {
  const bind = (n: number) =>
    withSql(`sql-params-${n}`, (sql) => {
      const params = Array.from({ length: n }, (_, i) => i);
      return sql.rows(`SELECT 0 IN (${params.map(() => '?').join(', ')})`, ...params)[0]?.[0];
    });
  expect(await bind(100)).toBe(1);
  await expect(bind(101)).rejects.toThrow(/too many SQL variables/);
});

// What the core needs from every adapter, the same cases as better-sqlite3's (server/src/sqlite.test.ts).
let fresh = 0;
sqlContract('ctx.storage.sql', (body) => withSql(`sql-contract-${fresh++}`, body));
