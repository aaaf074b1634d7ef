import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { digest } from '../ids.js';
import type { Store } from '../outbox/store.js';
import { fileState, readLines, resumeOffset } from '../tail/jsonl.js';
import { type GtEvent, mapGastownEvent } from './events.js';

export interface GastownStats {
  lines: number;
  events: number;
  notes: number;
  malformed: number;
}

const SOURCE = 'gastown';

/**
 * Tails `<town>/.events.jsonl`. Gas Town events carry no id, so a line's id is a hash of its bytes:
 * stable when the file is rewritten (`gt krc prune` renames a pruned copy over it; the tailer then
 * starts over and the server answers "duplicate" for what it already has). Records and the offset
 * commit in one transaction.
 */
export class GastownSource {
  readonly stats: GastownStats = { lines: 0, events: 0, notes: 0, malformed: 0 };
  readonly file: string;
  private readonly branchGet: Database.Statement;
  private readonly branchPut: Database.Statement;

  constructor(
    private readonly store: Store,
    townRoot: string,
  ) {
    this.file = join(townRoot, '.events.jsonl');
    this.branchGet = store.sql.prepare('SELECT bead_id FROM gastown_branches WHERE branch = ?');
    this.branchPut = store.sql.prepare(
      `INSERT INTO gastown_branches (branch, bead_id, seen_at) VALUES (?, ?, ?)
       ON CONFLICT (branch) DO UPDATE SET bead_id = excluded.bead_id, seen_at = excluded.seen_at`,
    );
    this.stats.malformed = store.counter('gastown.malformed');
  }

  /** Reads everything new; false when it stopped because the outbox is full. */
  async poll(): Promise<boolean> {
    const st = fileState(this.file);
    if (!st) return true;
    let offset = resumeOffset(this.store.cursor(SOURCE, this.file), st);
    for (;;) {
      if (this.store.full) return false;
      const batch = readLines(this.file, offset, { batchBytes: 1024 * 1024, maxLineBytes: 1024 * 1024 });
      if (!batch) return true;
      this.store.transaction(() => {
        let malformed = batch.oversized;
        for (const line of batch.lines) if (!this.take(line)) malformed++;
        this.store.addCounterIn('gastown.malformed', malformed);
        this.store.setCursor(SOURCE, this.file, st.ino, batch.end);
        this.stats.malformed += malformed;
      });
      offset = batch.end;
      await new Promise((r) => setImmediate(r));
    }
  }

  private take(line: string): boolean {
    let e: GtEvent;
    try {
      e = JSON.parse(line) as GtEvent;
    } catch {
      return false;
    }
    const at = typeof e?.ts === 'string' ? Date.parse(e.ts) : Number.NaN;
    if (typeof e?.type !== 'string' || Number.isNaN(at)) return false;
    this.stats.lines++;
    const id = `gt:${digest(line)}`;
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
