import type Database from 'better-sqlite3';
import { boundedId } from '../ids.js';
import type { ReadEntry } from './chunk.js';
import { type ClaudeEntry, entryTotal, replaces } from './parse.js';

interface GroupRow {
  group_id: string;
  msg_id: string;
  sidechain: number;
  total: number;
  speed_set: number;
}

/**
 * Counts each API response once, however many times Claude Code wrote it, with ccusage's rule:
 *
 * - copies with the same `message.id` + `requestId` are one response (streamed copies with growing
 *   totals, resumed sessions that begin by copying earlier lines, agent_progress lines that embed a
 *   subagent's records); the copy kept is the non-sidechain one, then the larger token total, then
 *   one that states `speed`;
 * - a sidechain copy with the same `message.id` but a new `requestId` (a /btw side question replaying
 *   the parent's messages) joins the existing response instead of adding one;
 * - a line without `message.id` is keyed by a digest of its bytes: each distinct line counts once (ccusage
 *   counts every line, so a line written twice counts twice there: a deliberate difference, README);
 * - a missing `requestId` is keyed as empty, so copies with one `message.id` and no `requestId` are one
 *   response (ccusage's `daily` report counts each such copy whose timestamp differs).
 *
 * A response is a *group*; its record id — the key the server dedupes on — is the first
 * `${message.id}:${requestId}` seen for it and never changes, so later, larger copies update the
 * same cumulative record. Groups live in the reporter's SQLite state, written in the same transaction
 * as the records and the file offsets, so a restart or a re-read of a file keeps the same answers.
 *
 * The groups looked up or created are kept in memory by key, across transactions (streamed copies of a
 * response follow each other, and a resumed session copies responses read a moment before, so most
 * lookups hit), up to MAX_CACHED keys; a group's row is updated once, by `flush()`, however many of its
 * copies grew it (and a new group is inserted once, by `flush()`, with its latest copy). Call `flush()` before each transaction commits, then `trim()`; and `forget()` when a
 * transaction rolled back (the rows kept may then be ahead of the database's) or groups were pruned.
 *
 * A set of hashes of every stored `message.id` (loaded once, then added to) answers most lookups of a
 * new response without SQLite: a hash not in it means no stored group or key has that id. A hash left
 * by a rolled-back transaction or a pruned group only costs a lookup that finds nothing.
 */
/** Keys kept in memory at most (~300 bytes each). */
const MAX_CACHED = 20_000;

export class ClaudeDedupe {
  private readonly byKey: Database.Statement;
  private readonly byOwnKey: Database.Statement;
  private readonly byMsg: Database.Statement;
  private readonly sidechainByMsg: Database.Statement;
  private readonly insertGroup: Database.Statement;
  private readonly insertKey: Database.Statement;
  private readonly updateGroup: Database.Statement;
  /** A (msg, req) key → its group, for keys seen in this transaction (the row as stored, kept up to date). */
  private readonly seen = new Map<string, GroupRow>();
  /** The same group objects by group id, so an update through one key is seen through the others. */
  private readonly groups = new Map<string, GroupRow>();
  /** Groups created since the last flush, in order (rowid order matters: see firstGroupOf), with their sidechain flag and time as created. */
  private readonly created: { row: GroupRow; sidechain: number; at: number }[] = [];
  /** Groups whose row changed in memory since the last flush. */
  private readonly dirty = new Set<GroupRow>();
  private dirtyAt = 0;
  /** Hashes of the stored `message.id`s (see the class comment); loaded at the first offer. */
  private known: Set<number> | undefined;
  private readonly allMsgIds: Database.Statement;

  constructor(db: Database.Database) {
    this.byKey = db.prepare(
      `SELECT g.group_id, g.msg_id, g.sidechain, g.total, g.speed_set FROM claude_keys k
       JOIN claude_groups g ON g.msg_id = k.msg_id AND g.group_id = k.group_id WHERE k.msg_id = ? AND k.req_id = ?`,
    );
    this.byOwnKey = db.prepare(
      'SELECT group_id, msg_id, sidechain, total, speed_set FROM claude_groups WHERE msg_id = ? AND group_id = ?',
    );
    this.byMsg = db.prepare(
      'SELECT group_id, msg_id, sidechain, total, speed_set FROM claude_groups WHERE msg_id = ? ORDER BY rowid LIMIT 1',
    );
    this.sidechainByMsg = db.prepare(
      'SELECT group_id, msg_id, sidechain, total, speed_set FROM claude_groups WHERE msg_id = ? AND sidechain = 1 ORDER BY rowid LIMIT 1',
    );
    this.insertGroup = db.prepare(
      'INSERT INTO claude_groups (group_id, msg_id, sidechain, total, speed_set, seen_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.insertKey = db.prepare('INSERT OR IGNORE INTO claude_keys (msg_id, req_id, group_id) VALUES (?, ?, ?)');
    this.allMsgIds = db.prepare('SELECT msg_id FROM claude_groups').pluck();
    this.updateGroup = db.prepare(
      'UPDATE claude_groups SET sidechain = ?, total = ?, speed_set = ?, seen_at = ? WHERE msg_id = ? AND group_id = ?',
    );
  }

  /**
   * The record id that should now carry this copy's totals, or undefined when the copy adds nothing
   * (a group already holds an equal or preferred copy). Call inside the store's transaction.
   */
  offer(e: ReadEntry, now: number): string | undefined {
    if (e.messageId === undefined) return `line:${e.lineDigest ?? ''}`;
    const msg = e.messageId;
    const req = e.requestId ?? '';
    const key = `${msg.length}:${msg}${req}`; // length-prefixed: no two (msg, req) pairs share it
    const total = entryTotal(e);
    let group = this.seen.get(key);
    if (!group) {
      const known = this.knownMsgIds();
      const h = hash(msg);
      const stored = known.has(h);
      group = stored
        ? ((this.byOwnKey.get(msg, recordId(msg, req)) ?? this.byKey.get(msg, req)) as GroupRow | undefined)
        : undefined;
      if (!group) {
        const other = stored ? this.firstGroupOf(msg, e.sidechain) : undefined;
        if (!other) {
          const id = recordId(msg, req);
          // Its own key is its id (byOwnKey): claude_keys holds only the keys that joined another's group.
          const row = { group_id: id, msg_id: msg, sidechain: e.sidechain ? 1 : 0, total, speed_set: e.speedSet ? 1 : 0 };
          this.created.push({ row, sidechain: row.sidechain, at: now });
          known.add(h);
          this.seen.set(key, row);
          this.groups.set(id, row);
          return id;
        }
        this.insertKey.run(msg, req, other.group_id);
        group = other;
      }
      group = this.groups.get(group.group_id) ?? group;
      this.groups.set(group.group_id, group);
      this.seen.set(key, group);
    }
    if (!preferred(e, total, group)) return undefined;
    group.sidechain = e.sidechain ? 1 : 0;
    group.total = total;
    group.speed_set = e.speedSet ? 1 : 0;
    this.dirty.add(group);
    this.dirtyAt = now;
    return group.group_id;
  }

  /**
   * The group a copy with a new request id joins (a sidechain replay): the first stored with this
   * message id (any, for a sidechain copy; a sidechain one, for a main-chain copy), else the first
   * created since the last flush, judged by its sidechain flag as it was created (as the row stored then).
   */
  private firstGroupOf(msg: string, sidechain: boolean): GroupRow | undefined {
    const stored = (sidechain ? this.byMsg.get(msg) : this.sidechainByMsg.get(msg)) as GroupRow | undefined;
    if (stored) return stored;
    return this.created.find((c) => c.row.msg_id === msg && (sidechain || c.sidechain === 1))?.row;
  }

  /**
   * Writes the groups the offers since the last flush created or changed, inside the transaction they
   * were offered in: a new group is inserted once, with its latest copy, rather than inserted then updated.
   */
  flush(): void {
    for (const { row: g, at } of this.created) {
      this.insertGroup.run(g.group_id, g.msg_id, g.sidechain, g.total, g.speed_set, this.dirty.delete(g) ? this.dirtyAt : at);
    }
    this.created.length = 0;
    for (const g of this.dirty) this.updateGroup.run(g.sidechain, g.total, g.speed_set, this.dirtyAt, g.msg_id, g.group_id);
    this.dirty.clear();
  }

  /**
   * After a flush: past MAX_CACHED keys, forgets every group kept. All or nothing, since two keys of
   * one group must share one row object (an update through one is seen through the other).
   */
  trim(): void {
    if (this.seen.size > MAX_CACHED) this.forget();
  }

  /** Forgets the groups kept, flushed or not (see the class comment). */
  forget(): void {
    this.created.length = 0;
    this.seen.clear();
    this.groups.clear();
    this.dirty.clear();
  }

  private knownMsgIds(): Set<number> {
    if (!this.known) {
      this.known = new Set();
      for (const id of this.allMsgIds.iterate() as IterableIterator<string>) this.known.add(hash(id));
    }
    return this.known;
  }
}

/** 32-bit FNV-1a of a string's UTF-16 code units: a prefilter key, collisions only cost a lookup. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** ccusage's order between two copies of one response. */
function preferred(e: ClaudeEntry, total: number, kept: GroupRow): boolean {
  const keptSidechain = kept.sidechain === 1;
  if (e.sidechain !== keptSidechain) return keptSidechain;
  return replaces(total, e.speedSet, kept.total, kept.speed_set === 1);
}

/**
 * `${msg}:${req}`, the id servers already hold, when neither part has a ':'; otherwise `msg` is
 * length-prefixed (`:${length}:${msg}:${req}`) so that `a:b`+`c` and `a`+`b:c` differ. Such an id has
 * at least three ':' and so is never an ordinary one (exactly one).
 */
export function recordId(msg: string, req: string): string {
  const plain = !msg.includes(':') && !req.includes(':');
  return boundedId(plain ? `${msg}:${req}` : `:${msg.length}:${msg}:${req}`);
}

/** Forgets responses not seen for `maxAgeMs` (default 45 days), keeping the tables bounded. */
export function pruneClaudeGroups(db: Database.Database, now: number, maxAgeMs = 45 * 86_400_000): number {
  const cutoff = now - maxAgeMs;
  return db.transaction(() => {
    const n = db.prepare('DELETE FROM claude_groups WHERE seen_at < ?').run(cutoff).changes;
    if (n > 0) db.prepare('DELETE FROM claude_keys WHERE group_id NOT IN (SELECT group_id FROM claude_groups)').run();
    return n;
  })();
}
