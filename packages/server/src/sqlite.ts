import { AppError, MAX_SQL_PARAMS, type Sql, type SqlValue } from '@gasgauge/core';
import Database from 'better-sqlite3';
import { makeDatabasePrivate } from './private-files.js';

export interface NodeSql extends Sql {
  close(): void;
  /** Inside an open transaction: closing now would roll it back under its caller. */
  inTransaction(): boolean;
  /** Frees the page cache pages not in use (`PRAGMA shrink_memory`); the next reads take them from the file again. */
  releaseMemory(): void;
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
  // Pages in use: what pruning frees goes to the freelist (reused by later writes), not back to the disk.
  const sizeOf = db
    .prepare(
      'SELECT (p.page_count - f.freelist_count) * s.page_size FROM pragma_page_count() p, pragma_freelist_count() f, pragma_page_size() s',
    )
    .raw(true);
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
    sizeBytes: () => (sizeOf.get() as [number])[0],
    close: () => db.close(),
    inTransaction: () => db.inTransaction,
    releaseMemory: () => {
      db.pragma('shrink_memory');
    },
  };
}

/**
 * A full disk (SQLite's SQLITE_FULL; the write is rolled back) is the server's state, not a fault of
 * the request: a `503` with `Retry-After`, which reporters and exporters retry, and one line in the
 * access log instead of a 500 and a stack trace per request, written to the disk that is full.
 */
/**
 * Errors that say the disk takes no more: a full file system (ENOSPC, which SQLite answers as SQLITE_FULL), a
 * user's quota (EDQUOT) or a file-size limit (EFBIG, `ulimit -f`), which SQLite answers as SQLITE_IOERR_WRITE
 * (its write failed; the transaction is rolled back). The quota is what a shared host runs out of. A disk too full
 * for the -shm file beside a WAL database (32 KiB, made by its first reader: a server or command starting on a data
 * dir no process has open) is SQLITE_IOERR_SHMSIZE, before anything is read or written.
 */
const DISK_FULL_CODES = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT', 'EFBIG', 'SQLITE_IOERR_WRITE', 'SQLITE_IOERR_SHMSIZE']);

/** Whether `err` (or what it wraps) is a full disk, a quota or a file-size limit (see DISK_FULL_CODES). */
export function isDiskFull(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) {
    if (DISK_FULL_CODES.has((e as { code?: unknown }).code as string)) return true;
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

/** The schema version a database's migrations reached (0: none yet). */
export function schemaVersion(sql: NodeSql): number {
  const table = sql.rows("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
  if (table.length === 0) return 0;
  return Number(sql.rows('SELECT COALESCE(MAX(version), 0) FROM schema_migrations')[0]?.[0] ?? 0);
}
