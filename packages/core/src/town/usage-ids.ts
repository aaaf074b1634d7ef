import type { Sql } from '../sql.js';

/** At most this many new records are moved into the id index per tick (bounded work; the rest wait). */
export const INDEX_BATCH = 50_000;

/**
 * Where each usage record id lives (its rowid in `usage_records`). Ids of records that arrived since
 * the last tick are only in memory (`tail`), rebuilt from the table when the town opens; the tick moves
 * them into `usage_ids` (and their agent and time into `usage_times`) in sorted bulk inserts. One
 * UsageIds per database: the town is an actor.
 */
export class UsageIds {
  private tail: Map<string, number> | undefined;

  constructor(private readonly sql: Sql) {}

  /** The rowid of the record with this id, if there is one. `pending` holds ids added in the open transaction. */
  find(id: string, pending: ReadonlyMap<string, number>): number | undefined {
    const recent = pending.get(id) ?? this.loadTail().get(id);
    if (recent !== undefined) return recent;
    return this.sql.rows('SELECT rec FROM usage_ids WHERE id = ?', id)[0]?.[0] as number | undefined;
  }

  /** After the ingest transaction committed: its new ids join the tail. */
  committed(added: ReadonlyMap<string, number>): void {
    const tail = this.loadTail();
    for (const [id, rec] of added) tail.set(id, rec);
  }

  /** In the tick's transaction: index up to INDEX_BATCH tail records; returns what to call once it commits. */
  indexTail(): () => void {
    const upto = this.indexedUpto();
    const end = (this.sql.rows('SELECT MAX(rowid) FROM usage_records')[0]?.[0] as number | null) ?? upto;
    const to = Math.min(end, upto + INDEX_BATCH);
    if (to <= upto) return () => {};
    // OR REPLACE: should a record ever be stored again under an indexed id (its old row gone), the
    // newest row wins instead of a constraint error failing this tick and every later one.
    this.sql.run(
      'INSERT OR REPLACE INTO usage_ids (id, rec) SELECT id, rowid FROM usage_records WHERE rowid > ? AND rowid <= ? ORDER BY id',
      upto,
      to,
    );
    // The same records by agent and time, for attributing them to beads (town/beads/attribution.ts).
    this.sql.run(
      `INSERT OR IGNORE INTO usage_times (agent_id, first_at, rec)
       SELECT agent_id, first_at, rowid FROM usage_records WHERE rowid > ? AND rowid <= ? ORDER BY agent_id, first_at`,
      upto,
      to,
    );
    this.sql.run('UPDATE town_state SET usage_indexed_upto = ? WHERE id = 1', to);
    return () => {
      const tail = this.loadTail();
      for (const [id, rec] of tail) if (rec <= to) tail.delete(id);
    };
  }

  /** Rowids at or below this are in `usage_ids`. */
  indexedUpto(): number {
    return this.sql.rows('SELECT usage_indexed_upto FROM town_state WHERE id = 1')[0]?.[0] as number;
  }

  private loadTail(): Map<string, number> {
    if (!this.tail) {
      const rows = this.sql.rows('SELECT id, rowid FROM usage_records WHERE rowid > ?', this.indexedUpto()) as [string, number][];
      this.tail = new Map(rows);
    }
    return this.tail;
  }
}
