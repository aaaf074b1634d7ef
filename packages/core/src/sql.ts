/**
 * The one storage port of the core: a tiny synchronous SQL interface.
 * better-sqlite3 (Node) and Durable Object storage (`ctx.storage.sql`) both fit it.
 */
export type SqlValue = number | string | null;

/**
 * Bound parameters one statement may take: Cloudflare's limit for Durable Object SQL (and D1). The
 * Node adapter refuses more too, so a statement that would fail only on Workers fails in every test.
 */
export const MAX_SQL_PARAMS = 100;

export interface Sql {
  /** Runs a statement; returns the number of rows it changed. */
  run(sql: string, ...params: SqlValue[]): number;
  /** All rows as objects keyed by column name. */
  all<T>(sql: string, ...params: SqlValue[]): T[];
  /** All rows as arrays in column order (for columnar reads without per-row objects). */
  rows(sql: string, ...params: SqlValue[]): SqlValue[][];
  /**
   * Runs fn in one transaction: all of its writes commit, or none do. Called inside another, it is a
   * savepoint: if fn throws, only its writes are undone (ingest refuses one request of a group so).
   */
  transaction<T>(fn: () => T): T;
  /**
   * Bytes the database holds data in (a town's storage quota, TownOptions.maxBytes). Pages freed by
   * pruning are not counted where the host can tell them apart (Node: SQLite's freelist); a Durable
   * Object counts its storage's whole size.
   */
  sizeBytes(): number;
}

/** The clock is passed in so the core never reads the wall time itself. Epoch ms, UTC. */
export type Clock = () => number;
