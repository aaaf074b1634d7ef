import { existsSync, linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Clock, MAX_TICK_BATCH, Town, type TownOptions, upgradeLine } from '@gasgauge/core';
import { BoundedMap } from '@gasgauge/core/bounded-map';
import type { DataDir } from './data-dir.js';
import { openNaming } from './schema-upgrade.js';
import { diskFullAsUnavailable, type NodeSql, openSqlite } from './sqlite.js';

/**
 * Open towns kept at most (`gasgauge serve --max-open-towns`). Each open town holds three file
 * descriptors (database, WAL, shared memory) and its SQLite page cache, so an unbounded set runs the
 * process out of descriptors and memory once a deployment has thousands of towns.
 */
export const DEFAULT_MAX_OPEN_TOWNS = 256;

/**
 * Open towns that keep their SQLite page cache (better-sqlite3's is up to 16 MB a database). A town that falls out of
 * the most recently used this many frees its cache (`releaseMemory`), and fills it again when next used: otherwise
 * every open town kept its 16 MB, and one user with 40 towns of 40 MB each (made by ingest alone) grew a server by
 * 660 MB for good; 256 open towns could hold 4 GB.
 */
export const DEFAULT_HOT_TOWNS = 16;

/** Closed towns whose cut tick batch is remembered (a number each): far more than a host keeps open. */
const MAX_REMEMBERED_TICK_BATCHES = 10_000;

/** Errors of a process out of file descriptors: from Node's fs, and from SQLite opening a file. */
const OUT_OF_FILES = ['EMFILE', 'ENFILE', 'SQLITE_CANTOPEN'];

export interface FileTownDirectoryOptions extends TownOptions {
  /** Open towns kept at most; the least recently used idle one is closed to open another. */
  maxOpen?: number;
  /** Open towns that keep their page cache (default DEFAULT_HOT_TOWNS); the others free it. */
  hotTowns?: number;
  /** Where a town whose schema an upgrade migrated on opening is said (towns open on first use). */
  log?: (line: string) => void;
}

/**
 * One SQLite file per town, opened on first use and kept open while recently used (an LRU of at most
 * `maxOpen`). Closing a town is safe because a `Town` is only used synchronously (`LocalTowns` gets it
 * again in every call; town-handles.test.ts checks no `Town` is kept across an await) and reopening
 * rebuilds what it keeps in memory from its file; a town inside a transaction is never closed.
 */
export class FileTownDirectory {
  /** Least recently used first (a Map iterates in insertion order; `get` re-inserts). */
  private readonly open = new Map<string, { town: Town; sql: NodeSql }>();
  private readonly maxOpen: number;
  /** The most recently used towns, the newest first: at most `hotTowns`, which keep their page cache. */
  private readonly hot: string[] = [];
  private readonly hotTowns: number;
  /**
   * What the ticks of towns closed here had come to, where under the cap (Town.tickBatchSize): a town of a
   * gigabyte, closed by the LRU and reopened, would otherwise stall the host a full batch's seconds again. At most
   * as many as there could be towns worth remembering; the oldest forgotten first (its town then starts at the cap).
   */
  private readonly tickBatches = new BoundedMap<string, number>(MAX_REMEMBERED_TICK_BATCHES);
  /** A migrated empty town database, made on the first new town: later new towns start as a copy of it. */
  private template: Buffer | undefined;

  constructor(
    private readonly dataDir: DataDir,
    private readonly clock: Clock,
    private readonly options: FileTownDirectoryOptions = {},
  ) {
    this.maxOpen = options.maxOpen ?? DEFAULT_MAX_OPEN_TOWNS;
    this.hotTowns = options.hotTowns ?? DEFAULT_HOT_TOWNS;
    if (!Number.isSafeInteger(this.maxOpen) || this.maxOpen < 1) throw new Error('maxOpen must be a whole number of at least 1');
  }

  get(townId: string): Town {
    const entry = this.open.get(townId);
    if (entry) {
      this.open.delete(townId);
      this.open.set(townId, entry);
      this.used(townId);
      return entry.town;
    }
    this.evict(this.maxOpen - 1);
    let town: Town;
    try {
      town = this.openTown(townId);
    } catch (err) {
      // Out of file descriptors (a limit below 3 × maxOpen plus the sockets): close half and try once more.
      if (!OUT_OF_FILES.includes((err as { code?: string }).code ?? '') || this.open.size === 0) throw err;
      this.evict(Math.floor(this.open.size / 2));
      town = this.openTown(townId);
    }
    this.used(townId);
    return town;
  }

  /** Moves the town to the front of the hot ones; the one that so falls out of them frees its page cache. */
  private used(townId: string): void {
    if (this.hot[0] === townId) return;
    const at = this.hot.indexOf(townId);
    if (at !== -1) this.hot.splice(at, 1);
    this.hot.unshift(townId);
    if (this.hot.length <= this.hotTowns) return;
    const cooled = this.open.get(this.hot.pop() as string);
    if (cooled && !cooled.sql.inTransaction()) cooled.sql.releaseMemory();
  }

  private openTown(townId: string): Town {
    const file = this.dataDir.townFile(townId);
    try {
      if (!existsSync(file)) this.createFile(file);
      const sql = openSqlite(file);
      try {
        const tickBatch = this.tickBatches.get(townId);
        const town = openNaming(file, () => new Town(sql, this.clock, { ...this.options, tickBatch }));
        const upgraded = upgradeLine(file, town.schema);
        if (upgraded) this.options.log?.(upgraded);
        this.open.set(townId, { town, sql });
        return town;
      } catch (err) {
        sql.close(); // a file that fails to open or migrate must not keep its descriptors
        throw err;
      }
    } catch (err) {
      // A new town's first write (its file, or SQLite's WAL switch on opening it) on a full disk: a 503 like any
      // other write, not a 500 with a stack.
      throw diskFullAsUnavailable(err);
    }
  }

  /** Whether the town has a file yet (a town is created on its first use). */
  exists(townId: string): boolean {
    return existsSync(this.dataDir.townFile(townId));
  }

  /** Towns open now (at most `maxOpen`, unless every one of them is inside a transaction). */
  openCount(): number {
    return this.open.size;
  }

  close(): void {
    for (const [id, entry] of this.open) this.closeTown(id, entry);
  }

  /**
   * A new town's file, copied from the template: running every migration per town cost ~30 ms of CPU
   * and several commits, which made creating thousands of towns slow. The copy is written beside the
   * file and linked into place, so a crash never leaves a partial database, and a town another process
   * created meanwhile is kept. `Town` still runs `migrate`, which finds every version applied.
   */
  private createFile(file: string): void {
    if (!this.template) {
      const path = `${file}.template-${process.pid}`;
      const sql = openSqlite(path);
      try {
        new Town(sql, this.clock, this.options);
      } finally {
        sql.close(); // checkpoints the WAL into the file and removes it: the file alone is the database
      }
      this.template = readFileSync(path);
      rmSync(path);
    }
    const part = `${file}.new-${process.pid}`;
    try {
      writeFileSync(part, this.template);
      linkSync(part, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      // Also a copy cut short by a full disk, which would hold on to its space.
      rmSync(part, { force: true });
    }
  }

  /** Closes least recently used towns until at most `keep` are open, skipping any inside a transaction. */
  private evict(keep: number): void {
    for (const [id, entry] of this.open) {
      if (this.open.size <= keep) return;
      if (entry.sql.inTransaction()) continue;
      this.closeTown(id, entry);
    }
  }

  /** Closes an open town, remembering its tick batch when its ticks had to be cut (see tickBatches). */
  private closeTown(id: string, { town, sql }: { town: Town; sql: NodeSql }): void {
    sql.close();
    this.open.delete(id);
    this.tickBatches.delete(id);
    if (town.tickBatchSize < MAX_TICK_BATCH) this.tickBatches.set(id, town.tickBatchSize);
  }
}
