import {
  appendFileSync,
  chmodSync,
  closeSync,
  existsSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { dirProblem } from '@gasgauge/core/dir-problem';
import Database from 'better-sqlite3';
import { StateError } from '../errors.js';
import { makeDirs } from '../make-dirs.js';
import { loneSurrogateProblem, type RecordKind, recordProblem } from '../wire.js';
import { HeldRows } from './held-rows.js';
import { MIGRATE_0_TO_1, MIGRATE_1_TO_2, MIGRATE_2_TO_3, SCHEMA, SCHEMA_VERSION } from './schema.js';

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
  /** Called for each record put in the dead-letter file unsent, once its transaction committed (see enqueue). */
  onRefused?: (kind: RecordKind, id: string, reason: string) => void;
}

/** How an enqueue treats a record whose id is already waiting. */
export type EnqueueMode = 'replace' | 'keep';

export const DEFAULT_MAX_PENDING_BYTES = 256 * 1024 * 1024;

/**
 * While commits are held (Store.hold), the records held in memory past which the store commits, writing those
 * not yet acknowledged to the outbox table: what a held backfill keeps in memory (~2× this in the heap).
 */
export const MAX_HELD_BYTES = 16 * 1024 * 1024;

/** While commits are held and every held record is acknowledged, the store commits at most this often. */
const HELD_COMMIT_MS = 1000;
/**
 * While commits are held and the reading stays ahead of delivery (records always held), the store commits this
 * often anyway, writing the held records to the outbox table: a run killed then reads again at most this long's work.
 */
const HELD_UNCOMMITTED_MS = 5000;

/**
 * The durable outbox and the tailers' cursors, in one SQLite file (WAL, synchronous=NORMAL: a commit
 * survives the process being killed; an OS crash may roll back the last commits, and then the records
 * and the cursors that produced them roll back together, so they are read again).
 */
export class Store {
  readonly dir: string;
  readonly deadLetterFile: string;
  private readonly pidFile: string;
  /** Holds the state directory's lock for as long as it is open (see takeLock). */
  private readonly lock: Database.Database;
  private readonly db: Database.Database;
  private readonly maxPendingBytes: number;
  private readonly maxDeadLetterBytes: number;
  private readonly onFull: ((pending: number, max: number) => void) | undefined;
  private readonly onRefused: StoreOptions['onRefused'];
  private seq: number;
  /**
   * The rows waiting and the sum of their `bytes`, kept exact in memory: read from the table once at
   * open, then adjusted by every insert, replace and delete this store makes (and restored when the
   * transaction they were in rolls back), so `full` and the status line never scan the outbox.
   */
  private pending = { rows: 0, bytes: 0 };
  private wasFull = false;
  private readingStopped = false;
  private readonly enqueuedListeners: (() => void)[] = [];
  /** What to run when the outermost transaction under way ends (afterTransaction). */
  private ending: ((committed: boolean) => void)[] = [];
  private readonly stmt: ReturnType<Store['prepare']>;
  /** The records enqueued while commits are held (see hold), or undefined when they are not. */
  private held: HeldRows | undefined;
  private heldCommittedAt = 0;
  /** transaction() calls under way: the outermost is the one whose end runs the hooks and wakes the sender. */
  private depth = 0;
  /** Set when a held transaction was lost (see hold): the store refuses all use from then on. */
  private lost: StateError | undefined;
  /** Dead-letter lines of the held transaction, written just before it commits (see writeDeadLetter). */
  private heldDeadLetters: string[] = [];
  /** Their length (counted against MAX_HELD_BYTES with the held records: a run of refused records commits too). */
  private heldDeadLetterBytes = 0;

  constructor(dir: string, opts: StoreOptions = {}) {
    this.dir = dir;
    this.deadLetterFile = join(dir, 'dead-letter.jsonl');
    this.maxPendingBytes = opts.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
    this.maxDeadLetterBytes = opts.maxDeadLetterBytes ?? 16 * 1024 * 1024;
    this.onFull = opts.onFull;
    this.onRefused = opts.onRefused;
    this.pidFile = join(dir, 'reporter.pid');
    let lock: Database.Database | undefined;
    try {
      makePrivate(dir);
      lock = takeLock(dir, this.pidFile);
      this.db = new Database(join(dir, 'state.sqlite'));
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      // Checkpoints (two fsyncs each, ~10-20 ms apiece here, on the reporter's thread) every 64 MiB of WAL rather
      // than SQLite's 4 MiB: the bench's 300 MB backfill writes ~330 MB of WAL; at 16 MiB it made 38 fsyncs, at
      // 64 MiB 17, and ~15% fewer page writes (a page written by several commits is copied back once). The WAL
      // is cut back to 16 MiB after a checkpoint, so an idle reporter does not keep 64 MiB of it on disk.
      this.db.pragma('wal_autocheckpoint = 16384');
      this.db.pragma(`journal_size_limit = ${16 * 1024 * 1024}`);
      this.db.pragma('busy_timeout = 5000');
      migrate(this.db);
    } catch (err) {
      if (lock) releaseLock(lock, this.pidFile);
      if (err instanceof StateError) throw err;
      // A directory that cannot be made or used is said in the user's terms, with what to pass; anything else as it is.
      const e = err as { code?: unknown; message: string };
      const problem = dirProblem(e);
      throw new StateError(
        problem === e.message
          ? `cannot open the reporter state in ${dir}: ${e.message}`
          : `cannot open the reporter state in ${dir} (${problem}); pass --state DIR, a directory this user can write`,
        { cause: err },
      );
    }
    this.lock = lock;
    this.stmt = this.prepare();
    this.seq = (this.stmt.maxSeq.pluck().get() as number | null) ?? 0;
    this.recount();
  }

  private prepare() {
    const db = this.db;
    return {
      maxSeq: db.prepare('SELECT max(seq) FROM outbox'),
      totals: db.prepare('SELECT count(*) AS rows, coalesce(sum(bytes), 0) AS bytes FROM outbox'),
      bytesOf: db.prepare('SELECT bytes FROM outbox WHERE kind = ? AND id = ?'),
      countKind: db.prepare('SELECT kind, count(*) AS n FROM outbox GROUP BY kind'),
      replace: db.prepare(
        `INSERT INTO outbox (kind, id, body, bytes, seq, enqueued_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body, bytes = excluded.bytes, seq = excluded.seq`,
      ),
      keep: db.prepare(
        'INSERT INTO outbox (kind, id, body, bytes, seq, enqueued_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind, id) DO NOTHING',
      ),
      batch: db.prepare('SELECT kind, id, body, bytes, seq FROM outbox WHERE kind = ? AND seq > ? ORDER BY seq LIMIT ?'),
      ack: db.prepare('DELETE FROM outbox WHERE seq = ? AND kind = ? AND id = ?'),
      // seq alone names a row: a replace gives the row a new seq, and seqs only grow while the store is open.
      ackMany: db.prepare('DELETE FROM outbox WHERE seq IN (SELECT value FROM json_each(?)) RETURNING bytes').pluck(),
      cursor: db.prepare('SELECT ino, offset, mark, stamp FROM cursors WHERE source = ? AND path = ?'),
      cursors: db.prepare('SELECT path, ino, offset, mark, stamp FROM cursors WHERE source = ?'),
      anyCursor: db.prepare('SELECT 1 FROM cursors WHERE source = ? LIMIT 1').pluck(),
      setCursor: db.prepare(
        `INSERT INTO cursors (source, path, ino, offset, mark, stamp) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (source, path) DO UPDATE SET ino = excluded.ino, offset = excluded.offset, mark = excluded.mark,
           stamp = excluded.stamp`,
      ),
      dropCursor: db.prepare('DELETE FROM cursors WHERE source = ? AND path = ?'),
      counter: db.prepare('SELECT value FROM counters WHERE name = ?'),
      addCounter: db.prepare(
        'INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value',
      ),
      setCounter: db.prepare(
        'INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
      ),
    };
  }

  /** The raw database, for the sources that keep their own tables in the same file (and transaction). */
  get sql(): Database.Database {
    return this.db;
  }

  /** Called after each outermost commit that added records: the sender sends them while the sources read on. */
  onEnqueued(listener: () => void): void {
    this.enqueuedListeners.push(listener);
  }

  /** Whether a transaction is under way (see afterTransaction); while commits are held, a transaction() call. */
  get inTransaction(): boolean {
    return this.held ? this.depth > 0 : this.db.inTransaction;
  }

  /**
   * Runs `fn` once the outermost transaction under way ends: `committed` true when it committed, false when
   * it rolled back. For what a source remembers in memory about what it enqueued (see CommittedMap): kept
   * only once it is in the database. Call inside a transaction.
   */
  afterTransaction(fn: (committed: boolean) => void): void {
    this.ending.push(fn);
  }

  private ended(committed: boolean): void {
    const hooks = this.ending;
    this.ending = [];
    for (const fn of hooks) fn(committed);
  }

  /**
   * Runs fn in one write transaction; everything it enqueued and every cursor it moved commit together.
   * While commits are held (see hold) it runs in a savepoint of the held transaction, and its end counts as
   * its commit: for the hooks (afterTransaction) and the sender, which sends what it enqueued at once.
   */
  transaction<T>(fn: () => T): T {
    if (this.lost) throw this.lost;
    const before = { ...this.pending };
    const seqBefore = this.seq;
    const held = this.held;
    const mark = held?.mark();
    // Held, the database is always in a transaction: the outermost call is the one no other call is under.
    const outermost = held ? this.depth === 0 : !this.db.inTransaction;
    this.depth++;
    let result: T;
    try {
      result = this.db.transaction(fn).immediate();
      this.depth--;
      if (outermost) {
        held?.settle();
        this.ended(true);
      }
    } catch (err) {
      this.depth--;
      if (held && !this.db.inTransaction) this.loseHeld(err);
      if (outermost) this.ended(false);
      // Rolled back (to the savepoint, when nested): so are the rows counted since it began.
      if (mark !== undefined) held?.undoTo(mark);
      this.pending = before;
      throw stateError(err);
    }
    if (outermost && this.seq !== seqBefore) for (const l of this.enqueuedListeners) l();
    if (outermost && held) this.commitHeldIfDue();
    return result;
  }

  /**
   * Holds commits, for a backfill (`--once`): one write transaction stays open, each transaction() is a
   * savepoint in it, and the records enqueued are held in memory and sent from there rather than written to
   * the outbox table, read back and deleted (the outbox's rows were most of a backfill's writes). It commits
   * (the cursors and the dedupe state; hooks run as each savepoint ended) when every held record is
   * acknowledged, at most every HELD_COMMIT_MS; and, writing the held records to the outbox table first, past
   * MAX_HELD_BYTES held or HELD_UNCOMMITTED_MS since the last commit. The records are safe without the table:
   * until it commits, the cursors that produced them are not moved either, so a reporter killed before reads
   * them again and sends them again (the server counts a repeat once: records are keyed).
   * A failed commit, or an error that rolls the held transaction back, loses the store (see loseHeld).
   */
  hold(): void {
    if (this.lost) throw this.lost;
    if (this.held || this.db.inTransaction) return;
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      // Another process's write lock past the busy timeout: the state error a transaction() gives, not a bare SqliteError.
      throw stateError(err);
    }
    this.held = new HeldRows();
    this.heldCommittedAt = Date.now();
  }

  /**
   * Commits what is held (writing the records not yet acknowledged to the outbox table) and holds no more. Throws
   * the state error when the held transaction was lost: a `--once` whose commit failed (a full disk, in an ack)
   * had delivered, and said `delivered` and exited 0 with its cursors rolled back.
   */
  release(): void {
    if (this.lost) throw this.lost;
    if (!this.held) return;
    this.commitHeld(false);
  }

  private commitHeldIfDue(): void {
    const held = this.held as HeldRows;
    const age = Date.now() - this.heldCommittedAt;
    if (
      held.bytes + this.heldDeadLetterBytes >= MAX_HELD_BYTES ||
      age >= (held.rows === 0 ? HELD_COMMIT_MS : HELD_UNCOMMITTED_MS)
    ) {
      this.commitHeld(true);
    }
  }

  /** Writes the held records to the table (keeping their seqs: an ack in flight deletes them), commits, and holds on or not. */
  private commitHeld(holdOn: boolean): void {
    const held = this.held as HeldRows;
    try {
      const now = Date.now();
      // Counted already, as held rows: taken out of the count, then written (and counted) as a table row.
      for (const r of held.takeAll()) {
        this.counted(-1, -r.bytes);
        this.writeRow(r, 'replace', now);
      }
      if (this.heldDeadLetters.length > 0) {
        this.rotateDeadLetter();
        appendFileSync(this.deadLetterFile, this.heldDeadLetters.join(''), { mode: PRIVATE_FILE_MODE });
        this.heldDeadLetters = [];
        this.heldDeadLetterBytes = 0;
      }
      this.db.exec('COMMIT');
      this.held = undefined;
      if (holdOn) this.hold();
    } catch (err) {
      this.loseHeld(err);
      throw this.lost;
    }
  }

  /**
   * The held transaction is gone (a failed commit, or an error SQLite answered by rolling it all back): what
   * the sources remember of the savepoints since the last commit no longer matches the state, so the store
   * refuses all use and the reporter ends. Nothing is lost: the cursors did not move past what committed, and
   * the next run reads the rest again.
   */
  private loseHeld(err: unknown): void {
    if (this.lost) return;
    this.lost = err instanceof StateError ? err : writeFailed(err);
    this.held = undefined;
    // Rolled back with the state: the next run reads those records again, and they are refused again.
    this.heldDeadLetters = [];
    this.heldDeadLetterBytes = 0;
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
  }

  /**
   * The reporter is stopping (a signal): file readers stop at their next commit, as when the outbox is full,
   * and leave the rest for the next start. For good: a store is not read again after its reporter stopped.
   */
  stopReading(): void {
    this.readingStopped = true;
  }

  /** Whether file readers should stop reading now: the reporter is stopping, or the outbox is full. */
  get holdReading(): boolean {
    return this.readingStopped || this.full;
  }

  /** True while the pending records are over the bound: file tailers pause, stream sources drop and count. */
  get full(): boolean {
    return this.noteFull(this.pending.bytes >= this.maxPendingBytes);
  }

  private noteFull(full: boolean): boolean {
    const becameFull = full && !this.wasFull;
    this.wasFull = full;
    // After the flag is set: the callback may read `full` again (a status line does).
    if (becameFull) this.onFull?.(this.pending.bytes, this.maxPendingBytes);
    return full;
  }

  /** Stores a record to be delivered. `replace` (cumulative totals, gauges) overwrites a waiting one; `keep` (events) does not. */
  enqueue(kind: RecordKind, id: string, record: object, mode: EnqueueMode, now = Date.now()): void {
    // Lost, a write outside transaction() would commit on its own: a cursor past records that were rolled back.
    if (this.lost) throw this.lost;
    const body = JSON.stringify(record);
    // JSON.stringify escapes a lone surrogate (and only that) as \ud…: the API refuses such a record, so it is not sent.
    const problem = recordProblem(kind, record) ?? (body.includes('\\ud') ? loneSurrogateProblem(record) : undefined);
    if (problem !== undefined) {
      this.refuse(kind, id, record, `not sent: ${problem} (docs/api.md)`);
      return;
    }
    const bytes = Buffer.byteLength(body);
    this.seq++;
    if (this.held) {
      // Waiting in the table (an earlier run's row, or one a held commit wrote): the table's rule applies there,
      // so one copy of the id waits, not a stale one beside a held one. None can while the table is empty.
      const waiting =
        this.pending.rows > this.held.rows ? (this.stmt.bytesOf.pluck().get(kind, id) as number | undefined) : undefined;
      if (waiting !== undefined) {
        if (mode === 'replace') this.replaceRow({ kind, id, body, bytes, seq: this.seq }, waiting, now);
        return;
      }
      const counted = this.held.put({ kind, id, body, bytes, seq: this.seq }, mode);
      if (counted) this.counted(counted.rows, counted.bytes);
      return;
    }
    this.writeRow({ kind, id, body, bytes, seq: this.seq }, mode, now);
  }

  /**
   * Writes a row to the outbox table with the mode's rule and counts it: new, one row more; replacing a waiting
   * one, its change of size; kept out by a waiting one, nothing. Most records are new: one insert; only a waiting
   * one costs the lookup of its size and the update.
   */
  private writeRow(r: OutboxRow, mode: EnqueueMode, now: number): void {
    if (this.stmt.keep.run(r.kind, r.id, r.body, r.bytes, r.seq, now).changes > 0) {
      this.counted(1, r.bytes);
      return;
    }
    if (mode === 'keep') return;
    this.replaceRow(r, this.stmt.bytesOf.pluck().get(r.kind, r.id) as number, now);
  }

  /** Gives the waiting row of r's kind and id (of `old` bytes) r's body and seq, and counts its change of size. */
  private replaceRow(r: OutboxRow, old: number, now: number): void {
    this.stmt.replace.run(r.kind, r.id, r.body, r.bytes, r.seq, now);
    this.counted(0, r.bytes - old);
  }

  /**
   * A record the API's per-record bounds refuse (recordProblem) goes to the dead-letter file with status 0 (not
   * sent) when its transaction commits, not to the outbox. Sent, it was refused alone: the API names one record
   * per answer, so each cost a round trip of its whole batch, sent again less that one; 3,000 usage lines dated
   * 2300 took a `--once` 53 s and 3,000 requests of up to 1 MiB while the records behind them waited.
   */
  private refuse(kind: RecordKind, id: string, record: object, reason: string): void {
    const write = () => {
      const line = `${JSON.stringify({ at: new Date().toISOString(), kind, id, status: 0, reason, record })}\n`;
      this.writeDeadLetter(line);
      this.onRefused?.(kind, id, reason);
    };
    if (!this.inTransaction) {
      write();
      this.addCounterIn('quarantined', 1);
      return;
    }
    this.addCounterIn('quarantined', 1);
    this.afterTransaction((committed) => {
      if (committed) write();
    });
  }

  private counted(rows: number, bytes: number): void {
    this.pending.rows += rows;
    this.pending.bytes += bytes;
  }

  /**
   * The oldest waiting records of one kind, at most `maxRecords` and `maxBytes` of record bodies; with
   * `afterSeq`, only those queued after it (the ones not already in a batch in flight).
   */
  nextBatch(kind: RecordKind, maxRecords: number, maxBytes: number, afterSeq = 0): OutboxRow[] {
    const rows = this.stmt.batch.all(kind, afterSeq, maxRecords) as OutboxRow[];
    const out: OutboxRow[] = [];
    let bytes = 0;
    for (const row of rows) {
      // +1 for the comma between records in the JSON array.
      if (out.length > 0 && bytes + row.bytes + 1 > maxBytes) return out;
      out.push(row);
      bytes += row.bytes + 1;
    }
    // Held rows were queued after every row in the table (seqs only grow): they come next.
    this.held?.batch(kind, afterSeq, maxRecords, maxBytes, out, bytes);
    return out;
  }

  /** Deletes acknowledged rows; a row replaced after it was read (newer seq) stays to be sent again. */
  ack(rows: readonly OutboxRow[]): number {
    let deleted = 0;
    this.transaction(() => {
      const stored = this.stored(rows);
      deleted = rows.length - stored.length;
      if (stored.length > 0) {
        const bytes = this.stmt.ackMany.all(JSON.stringify(stored.map((r) => r.seq))) as number[];
        deleted += bytes.length;
        this.counted(-bytes.length, -bytes.reduce((a, b) => a + b, 0));
      }
      this.addCounterIn(`sent.${rows[0]?.kind ?? 'usage'}`, deleted);
      this.releaseHeld(rows);
    });
    return deleted;
  }

  /** The rows among `rows` that are not held: those to delete from the table. */
  private stored(rows: readonly OutboxRow[]): readonly OutboxRow[] {
    const held = this.held;
    return held ? rows.filter((r) => !held.holds(r.kind, r.seq)) : rows;
  }

  /**
   * Lets go of the held rows among `rows` (counted): the last step of an ack, after its writes. First, a write that
   * threw (its savepoint rolled back, the count restored) had let them go all the same: the count then said
   * records were pending that were not, and `--once` ended "not delivered" with everything acknowledged.
   */
  private releaseHeld(rows: readonly OutboxRow[]): void {
    const held = this.held;
    if (!held) return;
    for (const r of rows) {
      const bytes = held.remove(r.kind, r.seq);
      if (bytes !== undefined) this.counted(-1, -bytes);
    }
  }

  /**
   * Moves a record the server refused to the dead-letter file (one JSON line: what, why, the record)
   * and deletes it, so one bad record neither blocks the rest nor is retried forever. The line is
   * written first: a crash in between leaves a duplicate line, never a lost record. (While commits are held, first
   * means just before the commit that deletes it: see writeDeadLetter.)
   */
  quarantine(row: OutboxRow, status: number, reason: string): void {
    const line = `${JSON.stringify({ at: new Date().toISOString(), kind: row.kind, id: row.id, status, reason, record: JSON.parse(row.body) })}\n`;
    this.writeDeadLetter(line);
    this.transaction(() => {
      if (this.stored([row]).length > 0 && this.stmt.ack.run(row.seq, row.kind, row.id).changes > 0) this.counted(-1, -row.bytes);
      this.addCounterIn('quarantined', 1);
      this.releaseHeld([row]);
    });
  }

  /**
   * Appends a dead-letter line; while commits are held, just before the held commit (commitHeld). Written at once,
   * a `--once` killed before that commit read the record again, the server refused it again, and the next run
   * wrote a second line for it (and counted it quarantined again): the window a crash leaves a duplicate in was
   * the whole held span, not the moment between the line and the commit.
   */
  private writeDeadLetter(line: string): void {
    if (this.held) {
      this.heldDeadLetters.push(line);
      this.heldDeadLetterBytes += line.length;
      return;
    }
    this.rotateDeadLetter();
    appendFileSync(this.deadLetterFile, line, { mode: PRIVATE_FILE_MODE });
  }

  private rotateDeadLetter(): void {
    try {
      if (statSync(this.deadLetterFile).size >= this.maxDeadLetterBytes)
        renameSync(this.deadLetterFile, `${this.deadLetterFile}.1`);
    } catch {
      // No dead-letter file yet.
    }
  }

  /** Records waiting for delivery (kept in memory: no query). */
  pendingCount(): number {
    return this.pending.rows;
  }

  pendingByKind(): Record<RecordKind, number> {
    const out: Record<RecordKind, number> = { usage: 0, loc: 0, event: 0 };
    for (const r of this.stmt.countKind.all() as { kind: RecordKind; n: number }[]) out[r.kind] = r.n;
    if (this.held) for (const kind of ['usage', 'loc', 'event'] as const) out[kind] += this.held.countKind(kind);
    return out;
  }

  /** Bytes of the records waiting for delivery (kept in memory: no query). */
  get pendingBytes(): number {
    return this.pending.bytes;
  }

  /** Reads the totals from the table again: only needed after changing `outbox` through `sql` directly. */
  recount(): void {
    this.pending = this.stmt.totals.get() as { rows: number; bytes: number };
    this.counted(this.held?.rows ?? 0, this.held?.bytes ?? 0);
  }

  cursor(source: string, path: string): Cursor | undefined {
    const row = this.stmt.cursor.get(source, path) as CursorRow | undefined;
    return row && cursorOf(row);
  }

  cursors(source: string): (Cursor & { path: string })[] {
    return (this.stmt.cursors.all(source) as (CursorRow & { path: string })[]).map((row) => ({
      path: row.path,
      ...cursorOf(row),
    }));
  }

  /** Whether the source has read anything yet (a first read of a tree is likely a backfill). */
  hasCursors(source: string): boolean {
    return this.stmt.anyCursor.get(source) !== undefined;
  }

  /**
   * `mark`: the last bytes read before `offset` (see the cursors table); none, and the cursor is not checked.
   * `stamp`: the file's stamp (stampOf in tail/jsonl.ts) as it was read; none, and a file at `offset`'s size is trusted.
   */
  setCursor(
    source: string,
    path: string,
    ino: number,
    offset: number,
    mark?: Uint8Array | undefined,
    stamp?: string | undefined,
  ): void {
    if (this.lost) throw this.lost;
    // A mark posted by a parse worker arrives as a plain Uint8Array, which SQLite's binding does not take.
    const blob =
      mark === undefined ? null : Buffer.isBuffer(mark) ? mark : Buffer.from(mark.buffer, mark.byteOffset, mark.length);
    this.stmt.setCursor.run(source, path, ino, offset, blob, stamp ?? null);
  }

  dropCursor(source: string, path: string): void {
    if (this.lost) throw this.lost;
    this.stmt.dropCursor.run(source, path);
  }

  counter(name: string): number {
    return (this.stmt.counter.pluck().get(name) as number | undefined) ?? 0;
  }

  /** Sets a persistent value (a time, say); call inside a transaction to commit it with what it records. */
  setCounterIn(name: string, value: number): void {
    if (this.lost) throw this.lost;
    this.stmt.setCounter.run(name, value);
  }

  /** Adds to a persistent counter; call inside a transaction to commit it with what it counts. */
  addCounterIn(name: string, n: number): void {
    if (this.lost) throw this.lost;
    if (n !== 0) this.stmt.addCounter.run(name, n);
  }

  /** Commits what is held first (see release); a store whose held transaction was lost just closes. */
  close(): void {
    if (!this.db.open) return;
    try {
      if (!this.lost) this.release();
    } finally {
      this.db.close();
      releaseLock(this.lock, this.pidFile);
    }
  }
}

/** Where a tailer read a file to (see Cursors in tail/jsonl.ts). */
export interface Cursor {
  ino: number;
  offset: number;
  mark?: Uint8Array;
  /** The file's stamp when the cursor was saved (see the cursors table), if kept. */
  stamp?: string;
}

interface CursorRow {
  ino: number;
  offset: number;
  mark: Buffer | null;
  stamp: string | null;
}

const cursorOf = (row: CursorRow): Cursor => {
  const c: Cursor = { ino: row.ino, offset: row.offset };
  if (row.mark !== null) c.mark = row.mark;
  if (row.stamp !== null) c.stamp = row.stamp;
  return c;
};

/** An error SQLite answered as the state error (what the CLI reports with the state dir); others as they are. */
function stateError(err: unknown): unknown {
  if (err instanceof StateError) return err;
  return (err as { code?: string }).code?.startsWith('SQLITE_') ? writeFailed(err) : err;
}

function writeFailed(err: unknown): StateError {
  return new StateError(`reporter state write failed: ${(err as Error).message}`, { cause: err });
}

/** Brings a state database to SCHEMA_VERSION (PRAGMA user_version), in one transaction. */
function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new StateError(
      `the reporter state was written by a newer gasgauge (schema ${version}, this one knows ${SCHEMA_VERSION}); upgrade gasgauge or use another --state`,
    );
  }
  if (version === SCHEMA_VERSION) {
    db.exec(SCHEMA);
    return;
  }
  db.transaction(() => {
    const has = (table: string) => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table);
    if (version < 1 && has('outbox')) db.exec(MIGRATE_0_TO_1);
    if (version < 2 && has('cursors')) db.exec(MIGRATE_1_TO_2);
    if (version < 3 && has('cursors')) db.exec(MIGRATE_2_TO_3);
    db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

const PRIVATE_DIR_MODE = 0o700;
const PRIVATE_FILE_MODE = 0o600;

/** Every file a store writes in its state dir. */
const STATE_FILES = [
  'state.sqlite',
  'state.sqlite-wal',
  'state.sqlite-shm',
  'reporter.lock',
  'reporter.pid',
  'dead-letter.jsonl',
  'dead-letter.jsonl.1',
];

/**
 * The state dir holds what the agents did (projects, sessions, models, spend, bead titles, the records
 * the server refused): for this user only, whatever the umask. The dir is created 0700 and the state
 * database 0600 before SQLite opens it, which gives its -wal and -shm files the same mode. What an
 * older reporter left open to others is made private: the state files, and the dir itself when it
 * holds nothing else (a --state given as a shared dir, /tmp or a home, is not changed, only our files).
 */
function makePrivate(dir: string): void {
  const own = !existsSync(dir) || readdirSync(dir).every((f) => STATE_FILES.includes(f));
  makeDirs(dir, PRIVATE_DIR_MODE);
  closeSync(openSync(join(dir, 'state.sqlite'), 'a', PRIVATE_FILE_MODE));
  closeSync(openSync(join(dir, 'reporter.lock'), 'a', PRIVATE_FILE_MODE));
  const files = STATE_FILES.map((f) => join(dir, f)).filter((f) => existsSync(f));
  for (const path of own ? [dir, ...files] : files) {
    // The dir as given (it may be a symlink); a state file that is a symlink is not followed.
    const st = path === dir ? statSync(path) : lstatSync(path);
    if ((st.mode & 0o077) === 0 || !(st.isFile() || st.isDirectory())) continue;
    try {
      chmodSync(path, st.isDirectory() ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE);
    } catch (err) {
      throw new StateError(
        `${path} is open to other users and could not be made private (${(err as Error).message}); run: chmod go-rwx ${path}`,
        { cause: err },
      );
    }
  }
}

/**
 * One reporter per state directory: two would each think they own the outbox rows they read. The lock
 * is SQLite's own file lock on a dedicated file, `reporter.lock`, taken with `BEGIN EXCLUSIVE` in
 * exclusive locking mode and held, in a transaction that is never committed, for as long as the store
 * is open. The kernel releases it when the process ends however it ends (SIGKILL included), so there
 * is no stale pid to judge: a pid file left by a killed reporter, naming a pid since reused (our own,
 * or 1 in a container), blocks nothing. `reporter.pid` is only written for the error message.
 * The lock file itself is never deleted: deleting a lock file that another process may have just
 * opened would let two reporters each hold a lock on a different file.
 */
function takeLock(dir: string, pidFile: string): Database.Database {
  // timeout 0: a held lock is an answer, not something to wait 5 s for.
  const lock = new Database(join(dir, 'reporter.lock'), { timeout: 0 });
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    lock.close();
    if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
      const pid = readPid(pidFile);
      throw new StateError(
        `another reporter${pid === undefined ? '' : ` (pid ${pid})`} is using this state directory (${dir}); give each one its own --state`,
        { cause: err },
      );
    }
    throw err;
  }
  writeFileSync(pidFile, `${process.pid}\n`, { mode: PRIVATE_FILE_MODE });
  return lock;
}

function releaseLock(lock: Database.Database, pidFile: string): void {
  // The pid file first, while the lock still says it is ours.
  rmSync(pidFile, { force: true });
  lock.close();
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
