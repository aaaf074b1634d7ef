import type { Sql, SqlValue } from '@gasgauge/core';

/**
 * The core's `Sql` port over a Durable Object's `ctx.storage.sql`. DO storage refuses BEGIN and
 * SAVEPOINT statements, so transactions go through `transactionSync`, which nests as a savepoint:
 * a throw inside undoes only that level's writes, as the port requires.
 */
export function doSql(storage: DurableObjectStorage): Sql {
  const { sql } = storage;
  return {
    run: (query: string, ...params: SqlValue[]) => {
      // Drain the cursor so the whole statement ran; changes() is what better-sqlite3 reports too
      // (rowsWritten also counts index rows and the rows an upsert touched twice).
      sql.exec(query, ...params).toArray();
      return sql.exec('SELECT changes()').raw().next().value?.[0] as number;
    },
    all: <T>(query: string, ...params: SqlValue[]) => sql.exec(query, ...params).toArray() as T[],
    rows: (query: string, ...params: SqlValue[]) => Array.from(sql.exec(query, ...params).raw()) as SqlValue[][],
    transaction: <T>(fn: () => T): T => storage.transactionSync(fn),
    sizeBytes: () => sql.databaseSize,
  };
}
