import { AppError, MAX_SQL_PARAMS, type Sql, type SqlValue } from '@gasgauge/core';
import Database from 'better-sqlite3';
import { makeDatabasePrivate } from './private-files.js';

export interface NodeSql extends Sql {
  close(): void;
  /** Inside an open transaction: closing now would roll it back under its caller. */
  inTransaction(): boolean;
}

/**
 * The core's `Sql` port over a better-sqlite3 file. WAL lets the CLI and the server share a data
 * dir; synchronous=NORMAL keeps a commit durable across a process crash (SIGKILL) without an fsync
 * per request — an OS crash or power loss may lose the last transactions (see ARCHITECTURE.md, "Durability").
 */
export function openSqlite(file: string): NodeSql {
  makeDatabasePrivate(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return sqlOf(db);
}

/** The core's `Sql` port over an open better-sqlite3 database (a file from openSqlite, or `:memory:`). */
export function sqlOf(db: Database.Database): NodeSql {
  const statements = new Map<string, Database.Statement>();
  // One wrapper for every transaction: better-sqlite3 builds several functions per transaction() call.
  const inTransaction = db.transaction((fn: () => unknown) => fn());
  const prepare = (sql: string, params: SqlValue[]): Database.Statement => {
    if (params.length > MAX_SQL_PARAMS)
      throw new RangeError(
        `${params.length} bound parameters, more than the ${MAX_SQL_PARAMS} Workers allow: ${sql.slice(0, 80)}`,
      );
    let s = statements.get(sql);
    if (!s) {
      s = db.prepare(sql);
      statements.set(sql, s);
    }
    return s;
  };
  return {
    run: (sql: string, ...params: SqlValue[]) => orDiskFull(() => prepare(sql, params).run(...params).changes),
    all: <T>(sql: string, ...params: SqlValue[]) =>
      orDiskFull(
        () =>
          prepare(sql, params)
            .raw(false)
            .all(...params) as T[],
      ),
    rows: (sql: string, ...params: SqlValue[]) =>
      orDiskFull(
        () =>
          prepare(sql, params)
            .raw(true)
            .all(...params) as SqlValue[][],
      ),
    // immediate: take the write lock up front, so two processes never deadlock upgrading a read lock.
    transaction: <T>(fn: () => T): T => orDiskFull(() => inTransaction.immediate(fn) as T),
    close: () => db.close(),
    inTransaction: () => db.inTransaction,
  };
}

/**
 * A full disk (SQLite's SQLITE_FULL; the write is rolled back) is the server's state, not a fault of
 * the request: a `503` with `Retry-After`, which reporters and exporters retry, and one line in the
 * access log instead of a 500 and a stack trace per request, written to the disk that is full.
 */
/** Whether `err` (or what it wraps) is a full disk: SQLite's SQLITE_FULL, or a file write's ENOSPC. */
export function isDiskFull(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (code === 'SQLITE_FULL' || code === 'ENOSPC') return true;
  }
  return false;
}

/** A full disk as the `503` it is (see above); any other error as it was. */
export function diskFullAsUnavailable(err: unknown): unknown {
  if (err instanceof AppError || !isDiskFull(err)) return err;
  return new AppError('unavailable', 'the server is out of disk space: nothing was stored; retry later', { cause: err });
}

function orDiskFull<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw diskFullAsUnavailable(err);
  }
}
