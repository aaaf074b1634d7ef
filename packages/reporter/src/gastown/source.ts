import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { digest } from '../ids.js';
import type { Store } from '../outbox/store.js';
import { PASS_FILE_BYTES } from '../tail/commit-groups.js';
import { fileState, readLines, resumeFrom } from '../tail/jsonl.js';
import { type OnUnreadable, unreadable } from '../tail/walk.js';
import { parseTimestamp } from '../timestamp.js';
import { MAX_EPOCH_MS } from '../wire.js';
import { type GtEvent, mapGastownEvent } from './events.js';

export interface GastownStats {
  lines: number;
  events: number;
  notes: number;
  malformed: number;
}

const SOURCE = 'gastown';
const READ = { batchBytes: 1024 * 1024, maxLineBytes: 1024 * 1024 };
/** Rows of gastown_lines (not line digests) that keep the last line's time and its place among the lines of that time. */
const ORDER_AT = '#order-at';
const ORDER_N = '#order-n';

/**
 * Tails `<town>/.events.jsonl`. Gas Town events carry no id, so a line's id is a hash of its bytes,
 * plus, for a line identical to earlier ones in the file (same second, same payload), its occurrence
 * number: `gt:<digest>` for the first, `gt:<digest>:2`, `gt:<digest>:3`, … after. Stable when the file
 * is read again (`gt krc prune` renames a pruned copy over it; the tailer then starts over and the
 * server answers "duplicate" for what it already has). The occurrence counts live in the state
 * database and commit in one transaction with the records and the offset, so a restart numbers the
 * same lines the same way.
 *
 * Its timestamps are whole seconds, and the server orders one agent's or bead's events of one time by id
 * (a digest here: no order at all). So the n-th consecutive line of one whole second is dated n ms into it
 * (at most 999): within a second, events keep the file's order (an agent spawned and slung in one second
 * ends up working, not idle). The last line's time and place are saved with the offset.
 */
export class GastownSource {
  readonly stats: GastownStats = { lines: 0, events: 0, notes: 0, malformed: 0 };
  readonly file: string;
  private readonly branchGet: Database.Statement;
  private readonly branchPut: Database.Statement;
  private readonly seenGet: Database.Statement;
  private readonly seenPut: Database.Statement;
  private readonly seenClear: Database.Statement;
  private readonly seenAny: Database.Statement;
  private readonly orderSet: Database.Statement;
  private countsChecked = false;
  /** Bytes one poll reads at most (see watch); no bound until then (`--once` reads the log to its end). */
  private passBytes = Number.POSITIVE_INFINITY;
  private cutShort = false;
  /** The last line's time and how many lines of that time came before it (undefined: not loaded yet). */
  private order: { at: number; n: number } | undefined;

  constructor(
    private readonly store: Store,
    townRoot: string,
    /** Told when the event log is there but cannot be read (permission denied, a symlink loop), at every poll. */
    private readonly onUnreadable?: OnUnreadable,
  ) {
    this.file = join(townRoot, '.events.jsonl');
    this.branchGet = store.sql.prepare('SELECT bead_id FROM gastown_branches WHERE branch = ?');
    this.branchPut = store.sql.prepare(
      `INSERT INTO gastown_branches (branch, bead_id, seen_at) VALUES (?, ?, ?)
       ON CONFLICT (branch) DO UPDATE SET bead_id = excluded.bead_id, seen_at = excluded.seen_at`,
    );
    this.seenGet = store.sql.prepare('SELECT seen FROM gastown_lines WHERE path = ? AND digest = ?');
    this.seenPut = store.sql.prepare(
      `INSERT INTO gastown_lines (path, digest, seen) VALUES (?, ?, 1)
       ON CONFLICT (path, digest) DO UPDATE SET seen = seen + 1`,
    );
    this.seenClear = store.sql.prepare('DELETE FROM gastown_lines WHERE path = ?');
    this.orderSet = store.sql.prepare(
      `INSERT INTO gastown_lines (path, digest, seen) VALUES (?, ?, ?)
       ON CONFLICT (path, digest) DO UPDATE SET seen = excluded.seen`,
    );
    this.seenAny = store.sql.prepare('SELECT 1 FROM gastown_lines WHERE path = ? LIMIT 1');
    this.stats.malformed = store.counter('gastown.malformed');
  }

  /**
   * A running reporter: a poll reads at most `passBytes` (PASS_FILE_BYTES, as the other tailers' passes read of one
   * file) and says it is `behind`, so the next comes at once. A log written faster than it is read had more waiting
   * at each poll, and every source after it waited longer each time.
   */
  watch(passBytes = PASS_FILE_BYTES): void {
    this.passBytes = passBytes;
  }

  /** Its last poll stopped at passBytes, before the log's end as the poll saw it: the next should come at once. */
  get behind(): boolean {
    return this.cutShort;
  }

  /** Reads everything new; false when it stopped because the outbox is full. */
  async poll(): Promise<boolean> {
    this.cutShort = false;
    const st = fileState(this.file);
    if (!st) {
      // Not there, or there and not to be looked at (a directory above it closed, a symlink loop): said.
      const denied = this.onUnreadable && unreadable(this.file, false);
      if (denied) this.onUnreadable?.(this.file, denied);
      return true;
    }
    let offset = resumeFrom(this.store, SOURCE, this.file, st);
    // Resuming mid-file with no occurrence counts (a state written before they existed): count the lines read so far.
    if (!this.countsChecked && offset > 0 && this.seenAny.get(this.file) === undefined) {
      this.store.transaction(() => this.recount(offset));
    }
    this.countsChecked = true;
    const began = offset;
    for (;;) {
      if (this.store.holdReading) return false;
      if (offset - began >= this.passBytes) {
        this.cutShort = true;
        return true;
      }
      // No further than the size this poll began with (as the other tailers: see Until in tail/commit-groups.ts): an
      // event log written faster than it is read was chased for ever, so a --once never ended and a running reporter's
      // next poll, of every source, never came.
      const batch = readLines(this.file, offset, { ...READ, until: st.size });
      if (!batch) {
        // Nothing new, or a file that cannot be opened (mode 000): the second is said.
        const denied = offset < st.size && this.onUnreadable && unreadable(this.file, false);
        if (denied) this.onUnreadable?.(this.file, denied);
        return true;
      }
      this.inTransaction(() => {
        // From the start (a new file, or one rewritten): occurrences are counted afresh.
        if (offset === 0) {
          this.seenClear.run(this.file);
          this.order = { at: -1, n: 0 };
        }
        this.order ??= {
          at: (this.seenGet.pluck().get(this.file, ORDER_AT) as number | undefined) ?? -1,
          n: (this.seenGet.pluck().get(this.file, ORDER_N) as number | undefined) ?? 0,
        };
        let malformed = batch.oversized;
        for (const line of batch.lines) if (!this.take(line)) malformed++;
        this.orderSet.run(this.file, ORDER_AT, this.order.at);
        this.orderSet.run(this.file, ORDER_N, this.order.n);
        this.store.addCounterIn('gastown.malformed', malformed);
        this.store.setCursor(SOURCE, this.file, st.ino, batch.end, batch.mark, st.stamp);
        this.stats.malformed += malformed;
      });
      offset = batch.end;
      await new Promise((r) => setImmediate(r));
    }
  }

  /**
   * Runs `fn` in a state transaction. The order of the file's last events is kept in memory as well as in
   * the state: a transaction that rolls back (a full disk) must not leave it ahead, or the lines read again
   * would be dated later within their second than the first time. It is read again from the state.
   */
  private inTransaction(fn: () => void): void {
    try {
      this.store.transaction(fn);
    } catch (err) {
      this.order = undefined;
      throw err;
    }
  }

  /** Counts the occurrences of each line before `end` (a line boundary: a saved offset), as take() did. */
  private recount(end: number): void {
    for (let offset = 0; offset < end; ) {
      const batch = readLines(this.file, offset, { ...READ, until: end });
      if (!batch) return;
      for (const line of batch.lines) if (parseEvent(line)) this.seenPut.run(this.file, digest(line));
      offset = batch.end;
    }
  }

  /** `gt:<digest>` for the first occurrence of a line in the file, `gt:<digest>:<n>` for the n-th. */
  private lineId(line: string): string {
    const d = digest(line);
    const before = (this.seenGet.pluck().get(this.file, d) as number | undefined) ?? 0;
    this.seenPut.run(this.file, d);
    return before === 0 ? `gt:${d}` : `gt:${d}:${before + 1}`;
  }

  private take(line: string): boolean {
    const event = parseEvent(line);
    if (!event) return false;
    const { e, ts } = event;
    // Only an event's line is counted: a row per distinct malformed line let 23 MB of numbers, one a line, grow
    // the state to 246 MB (identical lines are both malformed or both events, so no event's number changes).
    const id = this.lineId(line);
    this.stats.lines++;
    const order = this.order ?? { at: -1, n: 0 };
    const n = ts === order.at ? order.n + 1 : 0;
    this.order = { at: ts, n };
    const at = ts % 1000 === 0 ? Math.min(ts + n, ts + 999, MAX_EPOCH_MS) : ts;
    const mapped = mapGastownEvent(e, id, at, {
      beadForBranch: (branch) => this.branchGet.pluck().get(branch) as string | undefined,
    });
    if (mapped.branch) this.branchPut.run(mapped.branch.branch, mapped.branch.beadId, at);
    for (const ev of mapped.events) {
      this.store.enqueue('event', ev.id, ev, 'keep');
      if (ev.type === 'note') this.stats.notes++;
      else this.stats.events++;
    }
    return true;
  }
}

/** A line that is an event: an object with a `type` and a time the server can take; undefined for any other line. */
function parseEvent(line: string): { e: GtEvent; ts: number } | undefined {
  let e: GtEvent;
  try {
    e = JSON.parse(line) as GtEvent;
  } catch {
    return undefined;
  }
  const ts = typeof e?.ts === 'string' ? (parseTimestamp(e.ts) ?? Number.NaN) : Number.NaN;
  // A time the server cannot take (before 1970, after 2286) is malformed here, not refused there.
  if (typeof e?.type !== 'string' || !(ts >= 0 && ts <= MAX_EPOCH_MS)) return undefined;
  return { e, ts };
}
