import type { RecordKind } from '../wire.js';
import type { EnqueueMode, OutboxRow } from './store.js';

/** A row put: counted as new (`rows` 1) or as a replacement of a held one (`rows` 0, its change of size). */
export interface Counted {
  rows: number;
  bytes: number;
}

/**
 * The records a store holds in memory while its commits are held (Store.hold): the outbox table's rules
 * (one row per kind and id; `keep` leaves a held one, `replace` gives it the new body and a new seq) without
 * its writes. Per kind, in seq order, as the table's batch query reads them.
 */
export class HeldRows {
  private readonly bySeq: Record<RecordKind, Map<number, OutboxRow>> = {
    usage: new Map(),
    loc: new Map(),
    event: new Map(),
  };
  private readonly byId: Record<RecordKind, Map<string, OutboxRow>> = { usage: new Map(), loc: new Map(), event: new Map() };
  /** What the transaction under way put, newest last, to undo if it rolls back (see mark). */
  private readonly undo: { added: OutboxRow; replaced: OutboxRow | undefined }[] = [];
  rows = 0;
  bytes = 0;

  /** Holds a row; undefined when a `keep` found one held under its id (nothing changed). */
  put(row: OutboxRow, mode: EnqueueMode): Counted | undefined {
    const old = this.byId[row.kind].get(row.id);
    if (old !== undefined && mode === 'keep') return undefined;
    if (old !== undefined) this.bySeq[old.kind].delete(old.seq);
    this.byId[row.kind].set(row.id, row);
    this.bySeq[row.kind].set(row.seq, row);
    this.undo.push({ added: row, replaced: old });
    const counted = { rows: old === undefined ? 1 : 0, bytes: row.bytes - (old?.bytes ?? 0) };
    this.rows += counted.rows;
    this.bytes += counted.bytes;
    return counted;
  }

  /** The oldest held rows of a kind queued after `afterSeq`, within the batch bounds (as Store.nextBatch). */
  batch(kind: RecordKind, afterSeq: number, maxRecords: number, maxBytes: number, out: OutboxRow[], bytes: number): void {
    for (const row of this.bySeq[kind].values()) {
      if (out.length >= maxRecords) return;
      if (row.seq <= afterSeq) continue;
      // +1 for the comma between records in the JSON array.
      if (out.length > 0 && bytes + row.bytes + 1 > maxBytes) return;
      out.push(row);
      bytes += row.bytes + 1;
    }
  }

  /** Lets go of an acknowledged row; its bytes, or undefined when it is not held (a replace gave its id a new seq). */
  remove(kind: RecordKind, seq: number): number | undefined {
    const row = this.bySeq[kind].get(seq);
    if (row === undefined) return undefined;
    this.bySeq[kind].delete(seq);
    if (this.byId[kind].get(row.id) === row) this.byId[kind].delete(row.id);
    this.rows--;
    this.bytes -= row.bytes;
    return row.bytes;
  }

  /** Whether the row of this kind and seq is held (not replaced, not acknowledged). */
  holds(kind: RecordKind, seq: number): boolean {
    return this.bySeq[kind].has(seq);
  }

  countKind(kind: RecordKind): number {
    return this.bySeq[kind].size;
  }

  /** Where the undo log stands: a transaction that rolls back is undone back to here (undoTo). */
  mark(): number {
    return this.undo.length;
  }

  /** The outermost transaction committed its savepoint: nothing of it will be undone. */
  settle(): void {
    this.undo.length = 0;
  }

  /** Undoes the puts since `mark`, newest first: a rolled-back transaction's records are not held. */
  undoTo(mark: number): void {
    const touched = new Set<RecordKind>();
    while (this.undo.length > mark) {
      const { added, replaced } = this.undo.pop() as { added: OutboxRow; replaced: OutboxRow | undefined };
      this.bySeq[added.kind].delete(added.seq);
      this.rows -= 1;
      this.bytes -= added.bytes;
      const byId = this.byId[added.kind];
      if (replaced === undefined) {
        byId.delete(added.id);
        continue;
      }
      byId.set(added.id, replaced);
      this.bySeq[replaced.kind].set(replaced.seq, replaced);
      this.rows += 1;
      this.bytes += replaced.bytes;
      touched.add(replaced.kind);
    }
    // A restored row went in at the end of its map: put the map back in seq order.
    for (const kind of touched) {
      const sorted = [...this.bySeq[kind]].sort((a, b) => a[0] - b[0]);
      this.bySeq[kind] = new Map(sorted);
    }
  }

  /** Every held row, oldest first, and holds none from then on. */
  takeAll(): OutboxRow[] {
    const all = [...this.bySeq.usage.values(), ...this.bySeq.loc.values(), ...this.bySeq.event.values()];
    for (const kind of ['usage', 'loc', 'event'] as const) {
      this.bySeq[kind].clear();
      this.byId[kind].clear();
    }
    this.undo.length = 0;
    this.rows = 0;
    this.bytes = 0;
    return all.sort((a, b) => a.seq - b.seq);
  }
}
