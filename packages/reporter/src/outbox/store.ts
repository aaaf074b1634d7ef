import { appendFileSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { StateError } from '../errors.js';
import type { RecordKind } from '../wire.js';
import { SCHEMA } from './schema.js';

export interface OutboxRow {
  kind: RecordKind;
  id: string;
  body: string;
  bytes: number;
  seq: number;
}

export interface StoreOptions {
  /** Bound on the bytes of records waiting for delivery (default 256 MiB). */
  maxPendingBytes?: number;
  /** The dead-letter file is rotated once past this size (default 16 MiB); one rotated copy is kept. */
  maxDeadLetterBytes?: number;
  /** Called once each time the pending bound is reached (and again after it cleared). */
  onFull?: (pendingBytes: number, maxBytes: number) => void;
}

/** How an enqueue treats a record whose id is already waiting. */
export type EnqueueMode = 'replace' | 'keep';

export const DEFAULT_MAX_PENDING_BYTES = 256 * 1024 * 1024;

/**
 * The durable outbox and the tailers' cursors, in one SQLite file (WAL, synchronous=NORMAL: a commit
 * survives the process being killed; an OS crash may roll back the last commits, and then the records
 * and the cursors that produced them roll back together, so they are read again).
 */
export class Store {
  readonly dir: string;
  readonly deadLetterFile: string;
  private readonly lockFile: string;
  private readonly db: Database.Database;
  private readonly maxPendingBytes: number;
  private readonly maxDeadLetterBytes: number;
  private readonly onFull: ((pending: number, max: number) => void) | undefined;
  private seq: number;
  /** Exact after `recount()`, an upper bound in between (replacements are counted as additions). */
  private pendingBytesApprox: number;
  private wasFull = false;
  private readonly stmt: ReturnType<Store['prepare']>;

  constructor(dir: string, opts: StoreOptions = {}) {
    this.dir = dir;
    this.deadLetterFile = join(dir, 'dead-letter.jsonl');
    this.maxPendingBytes = opts.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
    this.maxDeadLetterBytes = opts.maxDeadLetterBytes ?? 16 * 1024 * 1024;
    this.onFull = opts.onFull;
    this.lockFile = join(dir, 'reporter.pid');
    try {
      mkdirSync(dir, { recursive: true });
      takeLock(this.lockFile);
      this.db = new Database(join(dir, 'state.sqlite'));
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('busy_timeout = 5000');
      this.db.exec(SCHEMA);
    } catch (err) {
      if (err instanceof StateError) throw err;
      rmSync(this.lockFile, { force: true });
      throw new StateError(`cannot open the reporter state in ${dir}: ${(err as Error).message}`, { cause: err });
    }
    this.stmt = this.prepare();
    this.seq = (this.stmt.maxSeq.pluck().get() as number | null) ?? 0;
    this.pendingBytesApprox = 0;
    this.recount();
  }

  private prepare() {
    const db = this.db;
    return {
      maxSeq: db.prepare('SELECT max(seq) FROM outbox'),
      sumBytes: db.prepare('SELECT coalesce(sum(bytes), 0) FROM outbox'),
      count: db.prepare('SELECT count(*) FROM outbox'),
      countKind: db.prepare('SELECT kind, count(*) AS n FROM outbox GROUP BY kind'),
      replace: db.prepare(
        `INSERT INTO outbox (kind, id, body, bytes, seq, enqueued_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body, bytes = excluded.bytes, seq = excluded.seq`,
      ),
      keep: db.prepare(
        'INSERT INTO outbox (kind, id, body, bytes, seq, enqueued_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind, id) DO NOTHING',
      ),
      batch: db.prepare('SELECT kind, id, body, bytes, seq FROM outbox WHERE kind = ? ORDER BY seq LIMIT ?'),
      ack: db.prepare('DELETE FROM outbox WHERE kind = ? AND id = ? AND seq = ?'),
      cursor: db.prepare('SELECT ino, offset FROM cursors WHERE source = ? AND path = ?'),
      cursors: db.prepare('SELECT path, ino, offset FROM cursors WHERE source = ?'),
      setCursor: db.prepare(
        `INSERT INTO cursors (source, path, ino, offset) VALUES (?, ?, ?, ?)
         ON CONFLICT (source, path) DO UPDATE SET ino = excluded.ino, offset = excluded.offset`,
      ),
      dropCursor: db.prepare('DELETE FROM cursors WHERE source = ? AND path = ?'),
      counter: db.prepare('SELECT value FROM counters WHERE name = ?'),
      addCounter: db.prepare(
        'INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value',
      ),
    };
  }

  /** The raw database, for the sources that keep their own tables in the same file (and transaction). */
  get sql(): Database.Database {
    return this.db;
  }

  /** Runs fn in one write transaction; everything it enqueued and every cursor it moved commit together. */
  transaction<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn).immediate();
    } catch (err) {
      if (err instanceof StateError) throw err;
      if ((err as { code?: string }).code?.startsWith('SQLITE_')) {
        throw new StateError(`reporter state write failed: ${(err as Error).message}`, { cause: err });
      }
      throw err;
    }
  }

  /** True while the pending records are over the bound: file tailers pause, stream sources drop and count. */
  get full(): boolean {
    if (this.pendingBytesApprox < this.maxPendingBytes) return this.noteFull(false);
    this.recount();
    return this.noteFull(this.pendingBytesApprox >= this.maxPendingBytes);
  }

  private noteFull(full: boolean): boolean {
    const becameFull = full && !this.wasFull;
    this.wasFull = full;
    // After the flag is set: the callback may read `full` again (a status line does).
    if (becameFull) this.onFull?.(this.pendingBytesApprox, this.maxPendingBytes);
    return full;
  }

  /** Stores a record to be delivered. `replace` (cumulative totals, gauges) overwrites a waiting one; `keep` (events) does not. */
  enqueue(kind: RecordKind, id: string, record: object, mode: EnqueueMode, now = Date.now()): void {
    const body = JSON.stringify(record);
    const bytes = Buffer.byteLength(body);
    this.seq++;
    (mode === 'replace' ? this.stmt.replace : this.stmt.keep).run(kind, id, body, bytes, this.seq, now);
    this.pendingBytesApprox += bytes;
  }

  /** The oldest waiting records of one kind, at most `maxRecords` and `maxBytes` of record bodies. */
  nextBatch(kind: RecordKind, maxRecords: number, maxBytes: number): OutboxRow[] {
    const rows = this.stmt.batch.all(kind, maxRecords) as OutboxRow[];
    const out: OutboxRow[] = [];
    let bytes = 0;
    for (const row of rows) {
      // +1 for the comma between records in the JSON array.
      if (out.length > 0 && bytes + row.bytes + 1 > maxBytes) break;
      out.push(row);
      bytes += row.bytes + 1;
    }
    return out;
  }

  /** Deletes acknowledged rows; a row replaced after it was read (newer seq) stays to be sent again. */
  ack(rows: readonly OutboxRow[]): number {
    let deleted = 0;
    this.transaction(() => {
      for (const r of rows) deleted += this.stmt.ack.run(r.kind, r.id, r.seq).changes;
      this.addCounterIn(`sent.${rows[0]?.kind ?? 'usage'}`, deleted);
    });
    this.pendingBytesApprox = Math.max(0, this.pendingBytesApprox - rows.reduce((s, r) => s + r.bytes, 0));
    return deleted;
  }

  /**
   * Moves a record the server refused to the dead-letter file (one JSON line: what, why, the record)
   * and deletes it, so one bad record neither blocks the rest nor is retried forever. The line is
   * written first: a crash in between leaves a duplicate line, never a lost record.
   */
  quarantine(row: OutboxRow, status: number, reason: string): void {
    const line = `${JSON.stringify({ at: new Date().toISOString(), kind: row.kind, id: row.id, status, reason, record: JSON.parse(row.body) })}\n`;
    this.rotateDeadLetter();
    appendFileSync(this.deadLetterFile, line);
    this.transaction(() => {
      this.stmt.ack.run(row.kind, row.id, row.seq);
      this.addCounterIn('quarantined', 1);
    });
    this.pendingBytesApprox = Math.max(0, this.pendingBytesApprox - row.bytes);
  }

  private rotateDeadLetter(): void {
    try {
      if (statSync(this.deadLetterFile).size >= this.maxDeadLetterBytes)
        renameSync(this.deadLetterFile, `${this.deadLetterFile}.1`);
    } catch {
      // No dead-letter file yet.
    }
  }

  pendingCount(): number {
    return this.stmt.count.pluck().get() as number;
  }

  pendingByKind(): Record<RecordKind, number> {
    const out: Record<RecordKind, number> = { usage: 0, loc: 0, event: 0 };
    for (const r of this.stmt.countKind.all() as { kind: RecordKind; n: number }[]) out[r.kind] = r.n;
    return out;
  }

  get pendingBytes(): number {
    return this.pendingBytesApprox;
  }

  recount(): void {
    this.pendingBytesApprox = this.stmt.sumBytes.pluck().get() as number;
  }

  cursor(source: string, path: string): { ino: number; offset: number } | undefined {
    return this.stmt.cursor.get(source, path) as { ino: number; offset: number } | undefined;
  }

  cursors(source: string): { path: string; ino: number; offset: number }[] {
    return this.stmt.cursors.all(source) as { path: string; ino: number; offset: number }[];
  }

  setCursor(source: string, path: string, ino: number, offset: number): void {
    this.stmt.setCursor.run(source, path, ino, offset);
  }

  dropCursor(source: string, path: string): void {
    this.stmt.dropCursor.run(source, path);
  }

  counter(name: string): number {
    return (this.stmt.counter.pluck().get(name) as number | undefined) ?? 0;
  }

  /** Adds to a persistent counter; call inside a transaction to commit it with what it counts. */
  addCounterIn(name: string, n: number): void {
    if (n !== 0) this.stmt.addCounter.run(name, n);
  }

  close(): void {
    if (!this.db.open) return;
    this.db.close();
    rmSync(this.lockFile, { force: true });
  }
}

/**
 * One reporter per state directory: two would each think they own the outbox rows they read. The pid
 * file of a reporter that was killed is taken over (its process is gone).
 */
function takeLock(file: string): void {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
      throw new StateError(`another reporter (pid ${pid}) is using this state directory; give each one its own --state`);
    }
  } catch (err) {
    if (err instanceof StateError) throw err;
    // No pid file, or an unreadable one: free.
  }
  writeFileSync(file, `${process.pid}\n`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
