import { realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BoundedMap } from '@gasgauge/core/bounded-map';
import Database from 'better-sqlite3';
import type { AgentMap } from '../agents.js';
import { StateError } from '../errors.js';
import { boundedId } from '../ids.js';
import type { JsonFields } from '../json.js';
import { CommittedMap } from '../outbox/committed-map.js';
import type { Store } from '../outbox/store.js';
import type { PricingOptions } from '../pricing/unpriced.js';
import { readSmallFile } from '../small-file.js';
import { fsPath, isEscapedName, listDir, nameEndsWith } from '../tail/names.js';
import { type OnUnreadable, unreadable } from '../tail/walk.js';
import { OpencodeUsage, type SdkEvent } from './events.js';
import { messageFiles, storeFile } from './files.js';
import { SqliteStepLedger } from './ledger.js';
import type { OpencodePrices } from './prices.js';

export interface OpencodeDiskOptions extends PricingOptions {
  store: Store;
  /** OpenCode / Kilo data dirs (see opencodeDataDirs). */
  dirs: readonly string[];
  /**
   * Stores named by path besides the data dirs' own (OPENCODE_DB, KILO_DB: see opencodeNamedStores); one that is a data
   * dir's store too (the same file, by device and inode), or named twice, is read once.
   */
  stores?: readonly string[];
  agents: AgentMap;
  prices: OpencodePrices;
  /** How long a read waits for a writer's lock before giving up until the next poll (default 250 ms). */
  busyTimeoutMs?: number;
  /** A bigger message file, or one that is not a regular file, is skipped and counted as malformed (default 4 MiB). */
  maxFileBytes?: number;
  /** Older message files whose signature is kept (default MAX_MESSAGE_FILES); tests pass a small one. */
  maxFiles?: number;
  /** The wall clock the older tree's listing interval is measured on (default `Date.now`); tests pass their own. */
  now?: () => number;
  log?: (line: string) => void;
  /** Told of a data dir or store that is there but cannot be read (permission denied, a symlink loop), at every poll. */
  onUnreadable?: OnUnreadable;
}

export interface OpencodeDiskStats {
  /** Message rows and files read (each read of a changed one counts). */
  messages: number;
  /** Message files that were not JSON objects, or over the size limit. */
  malformed: number;
  /** Polls that found a store locked by a writer past the busy timeout (read again next poll). */
  busy: number;
  /** Reads of a store that failed otherwise (logged; tried again when the store changes). */
  failed: number;
}

const SOURCE = 'opencode';
/**
 * Rows updated up to this long before the newest seen are read again: a writer's transaction that
 * commits after a later one (two OpenCode processes on one store) carries an older `time_updated`.
 * Reading a message again sends nothing unless its totals grew.
 */
const OVERLAP_MS = 60_000;
/** The longest session directory kept, and the most sessions (past it the longest unused is forgotten). */
const MAX_DIRECTORY = 4096;
const MAX_SESSIONS = 100_000;
/**
 * Older message files whose size and mtime are kept (~200 bytes each, ~20 MB at most). Past it the file read
 * longest ago is forgotten and read again at the next listing: nothing is sent twice (a message read again sends
 * nothing unless its totals grew), it only costs a read every 30 s for a tree that big.
 */
export const MAX_MESSAGE_FILES = 100_000;
/** A session file holds a few fields (id, title, directory, times). */
const MAX_SESSION_FILE_BYTES = 64 * 1024;
/** A row whose ids and JSON are bigger is skipped and counted as malformed (OpenCode's are a few KiB). */
const MAX_ROW_BYTES = 1024 * 1024;
/** Rows per query and per commit: a store with years of history is read in bounded slices. */
const PAGE = 2000;
/** A pass over a store: its step-finish parts, then its messages (OpencodeUsage takes steps before their message). */
const PART_PHASE = 0;
const MESSAGE_PHASE = 1;
/** The cursor rows of a pass under way (see passOf). */
const PASS_SOURCE = 'opencode.pass';
const PASS_MARK_SOURCE = 'opencode.pass-mark';

/** A pass under way: the phase, the last rowid read in it, when the pass began, the newest row time seen. */
interface Pass {
  phase: number;
  after: number;
  began: number;
  seen: number;
}

/** A `message`/`part` row: its JSON (null when over MAX_ROW_BYTES or not text) and when it last changed. */
interface Row {
  id: string;
  /** The session of a message, the message of a part. */
  parent: string;
  data: string | null;
  updated: number;
}

interface PagedRow extends Row {
  rowid: number;
}

/** Reads the page of rows after a rowid, one at a time; returns how many it read. */
type PageReader = (after: number, each: (row: PagedRow) => void) => number;

/**
 * Reads OpenCode's and Kilo's stores on disk: the SQLite `message` table (and the `part` table's
 * step-finish parts), opened read-only so the running CLI is never blocked, and the older
 * `storage/message/<session>/<message>.json` files, of which a message the database also holds is
 * skipped. Rows become `message.updated` / `message.part.updated` events of the one OpencodeUsage the
 * live stream also feeds, so the per-message cumulative and per-step rules exist once.
 *
 * Incremental: each store's watermark (the newest `time_updated` read) is saved with the records it led
 * to; the step-finish parts seen are kept in the state database (SqliteStepLedger).
 */
export class OpencodeDiskSource {
  readonly stats: OpencodeDiskStats = { messages: 0, malformed: 0, busy: 0, failed: 0 };
  readonly usage: OpencodeUsage;
  /** Each store open, with the inode it was opened at (a store replaced at its path is opened again). */
  private readonly dbs = new Map<string, { db: Database.Database; ino: number }>();
  /** Each message file's size and mtime when last read. */
  private readonly files: CommittedMap<string, string>;
  /** Session id → its directory (from the `session` table or `storage/session/**`), for the agent. */
  private readonly directories = new BoundedMap<string, string>(MAX_SESSIONS);
  /** When each data dir's older JSON tree was last listed. */
  private readonly listed = new Map<string, number>();
  /** Each store's file and WAL identity, size and mtime at its last complete read. */
  private readonly stamps = new Map<string, string>();
  private readonly now: () => number;

  constructor(private readonly opts: OpencodeDiskOptions) {
    this.stats.malformed = opts.store.counter('opencode.malformed');
    // A file counts as read once the transaction holding its message commits.
    this.files = new CommittedMap(opts.store, opts.maxFiles ?? MAX_MESSAGE_FILES);
    this.now = opts.now ?? Date.now;
    this.usage = new OpencodeUsage({
      tx: opts.store,
      agents: (session) => {
        const dir = this.directories.get(session);
        return dir === undefined ? undefined : opts.agents.agentFor(dir);
      },
      defaultAgentId: opts.agents.agentFor(undefined),
      steps: new SqliteStepLedger(opts.store.sql),
      price: (model, provider, a) => {
        const cost = opts.prices.microdollars(model, provider, a);
        // Not by the cost: a few tokens round to 0 µ$ at a listed price.
        if (
          cost === 0 &&
          a.input + a.output + a.reasoning + a.cacheRead + a.cacheWrite > 0 &&
          !opts.prices.knows(model, provider)
        )
          opts.onUnpriced?.(model);
        return cost;
      },
      emit: (record) => opts.store.enqueue('usage', record.id, record, 'replace'),
    });
  }

  /** Reads what changed since the last poll. False when a store was busy or the outbox is full (read again later). */
  async poll(): Promise<boolean> {
    let done = true;
    const seen = new Set<string>();
    for (const dir of this.opts.dirs) {
      if (this.opts.store.holdReading) return false;
      const denied = this.opts.onUnreadable && unreadable(dir, true);
      if (denied) this.opts.onUnreadable?.(dir, denied);
      const file = this.dirStore(dir, seen);
      const opened = file === undefined ? undefined : this.open(file);
      if (file !== undefined && opened !== undefined && !this.readIfChanged(file, opened)) done = false;
      if (!this.readFiles(dir, opened?.db)) done = false;
      await new Promise((r) => setImmediate(r));
    }
    for (const file of this.namedStores(seen)) {
      if (this.opts.store.holdReading) return false;
      const opened = this.open(file);
      if (opened !== undefined && !this.readIfChanged(file, opened)) done = false;
      await new Promise((r) => setImmediate(r));
    }
    return done;
  }

  /** Whether stores are named by path: only then is a data dir's store stat-ed for its identity, at each poll. */
  private get named(): boolean {
    return (this.opts.stores?.length ?? 0) > 0;
  }

  /** The stores there are now: each data dir's, then those named by path that are none of those (see `stores`). */
  storeFiles(): string[] {
    const seen = new Set<string>();
    const out: string[] = [];
    for (const dir of this.opts.dirs) {
      const file = this.dirStore(dir, seen);
      if (file !== undefined) out.push(file);
    }
    return [...out, ...this.namedStores(seen)];
  }

  /** A data dir's store, if any, added to `seen` (by device and inode) when stores are also named by path. */
  private dirStore(dir: string, seen: Set<string>): string | undefined {
    const file = storeFile(dir);
    if (file !== undefined && this.named) seen.add(identity(file) ?? file);
    return file;
  }

  /**
   * The named stores there now (regular files, or paths that cannot be looked at: opening one says why), less any whose
   * file is in `seen` (device and inode), which each one found is added to. Not there: OpenCode creates it on first use.
   */
  private namedStores(seen: Set<string>): string[] {
    const out: string[] = [];
    for (const file of this.opts.stores ?? []) {
      const id = identity(file);
      if (id === undefined || seen.has(id)) continue;
      seen.add(id);
      out.push(file);
    }
    return out;
  }

  /** Reads a store unless its file and WAL are as they were at its last full read; false when it has more to read. */
  private readIfChanged(file: string, opened: { db: Database.Database; ino: number }): boolean {
    const stamp = this.stamp(file);
    if (this.stamps.get(file) === stamp) return true;
    // Stamped before reading: a write during the read makes the next poll read again.
    if (!this.readStore(file, opened.db, opened.ino)) return false;
    this.stamps.set(file, stamp);
    return true;
  }

  /**
   * An event of a live server (see attach.ts), into the same usage as the rows: a `/global/event` wraps
   * it with its directory, which names the agent of a session the store has not shown yet.
   */
  live(event: SdkEvent): void {
    const info = isObject(event.payload) && isObject(event.payload.properties) ? event.payload.properties.info : undefined;
    const directory = (event as { directory?: unknown }).directory;
    if (isObject(info) && typeof info.sessionID === 'string' && typeof directory === 'string') {
      this.setDirectory(info.sessionID, directory);
    }
    this.opts.store.transaction(() => this.usage.handle(event));
  }

  close(): void {
    for (const { db } of this.dbs.values()) db.close();
    this.dbs.clear();
  }

  /**
   * The store at `file`, opened once; opened again when the path now names another file (OpenCode's data
   * reset, a store restored from a copy): a handle kept open reads the file it was opened on, so the new one
   * would never be read. (Stat'ed before opening: a swap in between is seen, and mended, at the next poll.)
   */
  private open(file: string): { db: Database.Database; ino: number } | undefined {
    const cannot = () => {
      // Being created, or not a database: try again next poll. A store that cannot be opened at all is said.
      const denied = this.opts.onUnreadable && unreadable(file, false);
      if (denied) this.opts.onUnreadable?.(file, denied);
      return undefined;
    };
    let ino: number;
    try {
      const st = statSync(file);
      // Checked again here, just before opening: a FIFO put at the path would block SQLite's open (see storeFile).
      if (!st.isFile()) return undefined;
      ino = st.ino;
    } catch {
      return cannot();
    }
    const open = this.dbs.get(file);
    if (open?.ino === ino) return open;
    if (open) {
      open.db.close();
      this.dbs.delete(file);
    }
    let db: Database.Database;
    try {
      // Read-only: no write lock, no WAL checkpoint; the timeout waits out a writer's commit briefly.
      db = new Database(file, { readonly: true, fileMustExist: true, timeout: this.opts.busyTimeoutMs ?? 250 });
    } catch {
      return cannot();
    }
    const opened = { db, ino };
    this.dbs.set(file, opened);
    return opened;
  }

  /**
   * A store's file and WAL identity, size and mtime: unchanged since the last full read, it holds nothing
   * new. (The tables have no index on `time_updated`, so a read scans them; an idle store is not read.)
   */
  private stamp(file: string): string {
    const s = (path: string) => {
      try {
        const st = statSync(path);
        return `${st.ino}:${st.size}:${st.mtimeMs}`;
      } catch {
        return '-';
      }
    };
    // The WAL SQLite keeps beside the file the path resolves to: a store named through a symlink (OPENCODE_DB=~/db, a
    // data dir's opencode.db linked elsewhere) has none beside the link, and its commits, in the WAL until a checkpoint,
    // went unseen (a live reporter missed a writer's last messages until its next checkpoint, for good if none came).
    let real = file;
    try {
      real = realpathSync(file);
    } catch {
      // Gone or unreadable: stamped by its path, as opening it says why.
    }
    return `${s(file)}/${s(`${real}-wal`)}`;
  }

  /**
   * One store since its watermark; false when a writer held it locked past the busy timeout, or the outbox
   * filled (the pass then resumes where it stopped, at the next poll). A pass reads the step-finish parts,
   * then the messages, a page at a time in rowid order, each page committed with its records and the pass's
   * progress point: a store with years of history passes the outbox's bound by at most one page's records,
   * and no transaction of the state database lasts its whole read.
   */
  private readStore(file: string, db: Database.Database, ino: number): boolean {
    const store = this.opts.store;
    const cursor = store.cursor(SOURCE, file);
    // The store's cursor names the inode its watermark and pass were read from (0: saved before inodes were, taken
    // as this one). Another file at the path is read from its start; its messages already sent add nothing.
    const replaced = cursor !== undefined && cursor.ino !== 0 && cursor.ino !== ino;
    const saved = replaced ? 0 : (cursor?.offset ?? 0);
    const since = Math.max(0, saved - OVERLAP_MS);
    try {
      const tables = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
      if (!tables.has('message')) return true;
      this.readSessions(db, tables, since);
      const pass = replaced ? newPass(saved) : this.passOf(file, saved);
      if (pass.phase === PART_PHASE && !tables.has('part')) pass.phase = MESSAGE_PHASE;
      // One read transaction for what this poll reads: its pages see one snapshot, a writer in WAL mode is not held up.
      return db.transaction(() => {
        for (; pass.phase <= MESSAGE_PHASE; pass.phase++, pass.after = 0) {
          const table = pass.phase === PART_PHASE ? 'part' : 'message';
          const page = this.pageReader(db, table, since);
          for (let n = PAGE; n === PAGE; ) {
            if (store.holdReading) return false;
            let malformed = 0;
            store.transaction(() => {
              n = page(pass.after, (r) => {
                pass.after = r.rowid;
                if (this.readRow(table, r)) malformed++;
                pass.seen = later(pass.seen, r.updated);
              });
              const finished = n < PAGE && pass.phase === MESSAGE_PHASE;
              this.savePass(file, finished ? undefined : n < PAGE ? { ...pass, phase: pass.phase + 1, after: 0 } : pass);
              // A pass may read over several snapshots (it stopped for a full outbox): a row changed after the
              // pass began, behind the rowid it had reached, is newer than its start, so the watermark stays there.
              store.setCursor(SOURCE, file, ino, finished ? Math.min(pass.seen, pass.began) : saved);
              store.addCounterIn('opencode.malformed', malformed);
            });
            this.stats.malformed += malformed;
          }
        }
        return true;
      })();
    } catch (err) {
      // Our own state database failed (a full disk): not the store's fault. The poll fails, and the store is read again.
      if (err instanceof StateError) throw err;
      if ((err as { code?: string }).code === 'SQLITE_BUSY') {
        this.stats.busy++;
        return false;
      }
      // Not a store we can read (corrupt, a schema we do not know): said, and the other sources go on.
      this.stats.failed++;
      this.opts.log?.(`reading ${file} failed: ${(err as Error).message}`);
      this.dbs.delete(file);
      db.close();
      return true;
    }
  }

  /** One row into the usage (see OpencodeUsage); true when it was malformed. */
  private readRow(table: 'message' | 'part', r: Row): boolean {
    if (table === 'part') {
      const part = r.data === null ? undefined : parseObject(r.data);
      // The ids live in the row's columns, not in its JSON.
      if (part?.type === 'step-finish') {
        const step = { type: 'step-finish', tokens: part.tokens, cost: part.cost, id: r.id, messageID: r.parent };
        this.usage.handle({ type: 'message.part.updated', properties: { part: step } });
      }
      return r.data === null;
    }
    const info = r.data === null ? undefined : parseObject(r.data);
    this.stats.messages++;
    if (info) this.usage.handle({ type: 'message.updated', properties: { info: messageInfo(info, r.id, r.parent) } });
    return !info;
  }

  /**
   * Where the pass over a store stands, from its two cursor rows in the state database (the phase and the last
   * rowid read; when the pass began and the newest row time seen), or a new pass from the saved watermark.
   */
  private passOf(file: string, watermark: number): Pass {
    const store = this.opts.store;
    const at = store.cursor(PASS_SOURCE, file);
    const mark = store.cursor(PASS_MARK_SOURCE, file);
    if (at && mark) return { phase: at.ino, after: at.offset, began: mark.ino, seen: mark.offset };
    return newPass(watermark);
  }

  /** Saves the pass's progress point in the caller's transaction; undefined: the pass is done. */
  private savePass(file: string, pass: Pass | undefined): void {
    const store = this.opts.store;
    if (!pass) {
      store.dropCursor(PASS_SOURCE, file);
      store.dropCursor(PASS_MARK_SOURCE, file);
      return;
    }
    store.setCursor(PASS_SOURCE, file, pass.phase, pass.after);
    store.setCursor(PASS_MARK_SOURCE, file, pass.began, pass.seen);
  }

  /**
   * A reader of one page of `message` or `part` rows changed since `since` (all of them when the table has no
   * `time_updated`), after a rowid, in rowid order, one row at a time; it returns how many it read. A row whose
   * ids and JSON pass MAX_ROW_BYTES (SQLite measures it; it is never read into memory), or that is not text,
   * comes with `data` null.
   */
  private pageReader(db: Database.Database, table: 'message' | 'part', since: number): PageReader {
    const parent = table === 'part' ? 'message_id' : 'session_id';
    const columns = new Set((db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name));
    const updated = columns.has('time_updated') ? 'time_updated' : '0';
    const where = updated === '0' ? '' : `WHERE time_updated >= ?`;
    const filter = table === 'part' ? `${where ? `${where} AND` : 'WHERE'} data LIKE '%step-finish%'` : where;
    const fits = `octet_length(id) + octet_length(${parent}) + octet_length(data) <= ${MAX_ROW_BYTES}`;
    const stmt = db.prepare(
      `SELECT rowid AS rowid, iif(${fits}, id, NULL) AS id, iif(${fits}, ${parent}, NULL) AS parent,
         iif(${fits}, data, NULL) AS data, ${updated} AS updated
       FROM ${table} ${filter} ${filter ? 'AND' : 'WHERE'} rowid > ? ORDER BY rowid LIMIT ${PAGE}`,
    );
    return (after, each) => {
      let n = 0;
      for (const p of (updated === '0' ? stmt.iterate(after) : stmt.iterate(since, after)) as Iterable<PagedRow>) {
        n++;
        const whole = typeof p.id === 'string' && typeof p.parent === 'string' && typeof p.data === 'string';
        each(whole ? p : { rowid: p.rowid, id: '', parent: '', data: null, updated: p.updated });
      }
      return n;
    };
  }

  /** Session directories changed since `since` (all when the table has no `time_updated`). */
  private readSessions(db: Database.Database, tables: ReadonlySet<string>, since: number): void {
    if (!tables.has('session')) return;
    const columns = new Set((db.prepare('PRAGMA table_info(session)').all() as { name: string }[]).map((c) => c.name));
    if (!columns.has('directory')) return;
    // A longer directory is not kept anyway: such a row is never read into memory.
    const fits = `octet_length(directory) <= ${MAX_DIRECTORY} AND octet_length(id) <= ${MAX_ROW_BYTES}`;
    const rows = (
      columns.has('time_updated')
        ? db.prepare(`SELECT id, directory FROM session WHERE time_updated >= ? AND ${fits}`).iterate(since)
        : db.prepare(`SELECT id, directory FROM session WHERE ${fits}`).iterate()
    ) as Iterable<{ id: unknown; directory: unknown }>;
    for (const r of rows) {
      if (typeof r.id === 'string' && typeof r.directory === 'string') this.setDirectory(r.id, r.directory);
    }
  }

  /**
   * Remembers a session's directory under the session id OpencodeUsage asks with (boundedId), a path of
   * at most 4,096 characters, and at most 100,000 sessions: what a store or a live server sends cannot
   * grow the map without bound.
   */
  private setDirectory(session: string, directory: string): void {
    if (directory.length > MAX_DIRECTORY) return;
    this.directories.set(boundedId(session), directory);
  }

  /**
   * The older JSON files: a changed file is read again; a message the database holds is left to it. A page of
   * files per commit, and none while the outbox is full: false then, and the next poll lists them again (the
   * files read are known by their size and mtime, so only the rest are read).
   */
  private readFiles(dir: string, db: Database.Database | undefined): boolean {
    // Current versions write the store only: the older tree is listed again every 30 s, not every poll.
    const last = this.listed.get(dir);
    if (last !== undefined && this.now() - last < 30_000) return true;
    const paths = messageFiles(dir);
    if (paths.length === 0) {
      this.listed.set(dir, this.now());
      return true;
    }
    this.readSessionFiles(dir);
    let inDb: Database.Statement | undefined;
    try {
      inDb = db?.prepare('SELECT 1 FROM message WHERE id = ?');
    } catch {
      inDb = undefined; // No message table yet.
    }
    for (let from = 0; from < paths.length; from += PAGE) {
      if (this.opts.store.holdReading) return false;
      let malformed = 0;
      this.opts.store.transaction(() => {
        for (const path of paths.slice(from, from + PAGE)) if (!this.readFile(path, inDb)) malformed++;
        this.opts.store.addCounterIn('opencode.malformed', malformed);
      });
      this.stats.malformed += malformed;
    }
    this.listed.set(dir, this.now());
    return true;
  }

  /** One older message file, unless unchanged since it was read; false when it is malformed. */
  private readFile(path: string, inDb: Database.Statement | undefined): boolean {
    let sig: string;
    let text: string | undefined;
    try {
      const st = statSync(fsPath(path));
      sig = `${st.ino}:${st.size}:${st.mtimeMs}`;
      if (this.files.get(path) === sig) return true;
      text = readSmallFile(path, this.opts.maxFileBytes ?? 4 * 1024 * 1024);
    } catch {
      return true; // Gone since it was listed.
    }
    this.files.set(path, sig);
    const info = text === undefined ? undefined : parseObject(text);
    if (!info) return false;
    this.stats.messages++;
    if (typeof info.id === 'string' && inDb?.get(info.id) !== undefined) return true;
    this.usage.handle({ type: 'message.updated', properties: { info: messageInfo(info, info.id, info.sessionID) } });
    return true;
  }

  /** `storage/session/<project>/<session>.json` → directory, for sessions the database does not name. */
  private readSessionFiles(dir: string): void {
    const root = join(dir, 'storage', 'session');
    let projects: ReturnType<typeof listDir>;
    try {
      projects = listDir(root);
    } catch {
      return;
    }
    for (const p of projects) {
      let names: ReturnType<typeof listDir>;
      try {
        names = listDir(join(root, p.name));
      } catch {
        continue;
      }
      for (const { name: n } of names) {
        if (!nameEndsWith(n, '.json')) continue;
        // The session id is the file's name; a name that is not UTF-8 (escaped, tail/names.ts) is no id a
        // message gives, so the file's own `id` is taken then.
        const named = isEscapedName(n) ? undefined : n.replace(/\.json$/, '');
        if (named !== undefined && this.directories.has(boundedId(named))) continue;
        try {
          const text = readSmallFile(join(root, p.name, n), MAX_SESSION_FILE_BYTES);
          const s = text === undefined ? undefined : parseObject(text);
          const id = named ?? (typeof s?.id === 'string' ? s.id : undefined);
          if (id !== undefined && typeof s?.directory === 'string') this.setDirectory(id, s.directory);
        } catch {
          // Unreadable: its messages go to the default agent.
        }
      }
    }
  }
}

/** What OpencodeUsage reads of a message, by fixed names; the ids from the row's columns when it has them. */
function messageInfo(info: JsonFields, id: unknown, sessionID: unknown): JsonFields {
  const { role, tokens, cost, modelID, providerID, time } = info;
  return { role, tokens, cost, modelID, providerID, time, id, sessionID };
}

/** A pass from the start of a store's tables, over the rows changed since the watermark. */
function newPass(watermark: number): Pass {
  return { phase: PART_PHASE, after: 0, began: Date.now(), seen: watermark };
}

/** The newer of a watermark and a row's time; a time ahead of this clock counts as now (a skewed writer must not hide later rows). */
function later(watermark: number, updated: unknown): number {
  return typeof updated === 'number' && Number.isFinite(updated) ? Math.max(watermark, Math.min(updated, Date.now())) : watermark;
}

const isObject = (v: unknown): v is JsonFields => typeof v === 'object' && v !== null;

/** A JSON object, or undefined (not JSON, caught mid-write, or not an object). */
function parseObject(text: string): JsonFields | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonFields) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A store file's device and inode (the same store under two names is one), its path when it cannot be looked at (opening
 * it says why), or undefined when it is no store: not there (yet), or no regular file (as storeFile takes one). One stat.
 */
function identity(file: string): string | undefined {
  try {
    const st = statSync(file);
    return st.isFile() ? `${st.dev}:${st.ino}` : undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? undefined : file;
  }
}
