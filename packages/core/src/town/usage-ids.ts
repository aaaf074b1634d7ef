import { MAX_SQL_PARAMS, type Sql } from '../sql.js';

/** At most this many new records are moved into the id index per tick (bounded work; the rest wait). */
export const INDEX_BATCH = 50_000;

/**
 * Memory a town's ids of records not yet indexed may take at most (TAIL_ENTRY_BYTES each): an ingest that would take
 * the tail past it first indexes the oldest itself (`Town.ingest`). The tick indexes at most 25,000 records a second
 * when catching up, while one ingest token can send 65,000 a second, and the tail grew a server by 1.1 GB a minute
 * (200-character ids), without bound while the sender went on. Ingest is never refused for it: past the bound it
 * pays for its own indexing, and so goes no faster than the town can index. Counted in bytes, not ids, so a backfill
 * of short ids (~270,000 of 40 characters: more than two ticks' worth) costs no indexing at ingest, while ids of
 * the longest kind are held to ~57,000.
 */
export const MAX_TAIL_BYTES = 32 * 1024 * 1024;

/** What one id held in the tail costs, roughly: its UTF-16 characters and a Map entry with its string's header. */
export function tailEntryBytes(id: string): number {
  return 2 * id.length + 80;
}

/**
 * Where each usage record id lives (its rowid in `usage_records`). Ids of records that arrived since
 * the last tick are only in memory (`tail`), rebuilt from the table when the town opens; the tick moves
 * them into `usage_ids` (and their agent and time into `usage_times`) in sorted bulk inserts. One
 * UsageIds per database: the town is an actor.
 */
export class UsageIds {
  private tail: Map<string, number> | undefined;
  /** tailEntryBytes over the tail's ids. */
  private tailBytes = 0;

  constructor(private readonly sql: Sql) {}

  /**
   * Where each of these ids lives, for one request: ids that arrived since the last tick from memory, the
   * rest looked up in `usage_ids` MAX_SQL_PARAMS at a time (one statement per 100 records, not one per
   * record). Ids with no record are absent. Ids the open transaction inserts are in its `newUsageIds`.
   */
  lookup(ids: readonly string[]): Map<string, number> {
    const tail = this.loadTail();
    const found = new Map<string, number>();
    const rest: string[] = [];
    for (const id of ids) {
      const rec = tail.get(id);
      if (rec !== undefined) found.set(id, rec);
      else rest.push(id);
    }
    for (let i = 0; i < rest.length; i += MAX_SQL_PARAMS) {
      const chunk = rest.slice(i, i + MAX_SQL_PARAMS);
      const rows = this.sql.rows(`SELECT id, rec FROM usage_ids WHERE id IN (?${', ?'.repeat(chunk.length - 1)})`, ...chunk);
      for (const [id, rec] of rows as [string, number][]) found.set(id, rec);
    }
    return found;
  }

  /**
   * The rowid for the next new record, which ingest inserts with it explicitly (no RETURNING per record):
   * MAX(rowid) + 1, as SQLite would choose (the tick never prunes the newest row, tick.ts).
   */
  nextRowid(): number {
    return ((this.sql.rows('SELECT MAX(rowid) FROM usage_records')[0]?.[0] as number | null) ?? 0) + 1;
  }

  /** After the ingest transaction committed: its new ids join the tail. */
  committed(added: ReadonlyMap<string, number>): void {
    const tail = this.loadTail();
    for (const [id, rec] of added) {
      if (!tail.has(id)) this.tailBytes += tailEntryBytes(id);
      tail.set(id, rec);
    }
  }

  /**
   * How many of the oldest tail ids to index so that `incoming` more bytes fit in MAX_TAIL_BYTES (0: they fit).
   */
  overBound(incoming: number): number {
    const tail = this.loadTail();
    let excess = this.tailBytes + incoming - MAX_TAIL_BYTES;
    if (excess <= 0) return 0;
    let n = 0;
    for (const id of tail.keys()) {
      n++;
      excess -= tailEntryBytes(id);
      if (excess <= 0) break;
    }
    return n;
  }

  /**
   * In a transaction (the tick's, or one before an ingest past MAX_TAIL_BYTES): index up to `batch` tail records,
   * the oldest; returns what to call once it commits.
   */
  indexTail(batch = INDEX_BATCH): () => void {
    const upto = this.indexedUpto();
    const end = (this.sql.rows('SELECT MAX(rowid) FROM usage_records')[0]?.[0] as number | null) ?? upto;
    const to = Math.min(end, upto + batch);
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
      for (const [id, rec] of tail)
        if (rec <= to) {
          tail.delete(id);
          this.tailBytes -= tailEntryBytes(id);
        }
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
      this.tailBytes = 0;
      for (const id of this.tail.keys()) this.tailBytes += tailEntryBytes(id);
    }
    return this.tail;
  }
}
