import type { Sql } from '../sql.js';
import { queueBeadsMovedBy } from './beads/budget-queue.js';
import { queueMove } from './beads/totals.js';
import { forEachAtEventTime, type TimeTally } from './event-time.js';
import type { SlotCounters } from './slots.js';
import type { WriteBatch } from './write-batch.js';

/** Event ids the town records itself (budget crossings) start with this; ingest refuses it from reporters. */
export const SYSTEM_EVENT_PREFIX = 'gasgauge:';

export const AGENT_STATUSES = ['idle', 'working', 'waiting', 'stalled', 'dead'] as const;
export const BEAD_STATUSES = ['open', 'in_progress', 'in_review', 'blocked', 'closed', 'failed'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];
export type BeadStatus = (typeof BEAD_STATUSES)[number];

export type TownEvent =
  | {
      id: string;
      at: number;
      type: 'agent';
      agentId: string;
      role?: string | undefined;
      status: AgentStatus;
      beadId?: string | undefined;
    }
  | {
      id: string;
      at: number;
      type: 'bead';
      beadId: string;
      status: BeadStatus;
      kind?: string | undefined;
      title?: string | undefined;
      assigneeAgentId?: string | undefined;
      /** The bead this one is part of (a Gas Town convoy or epic): its cost rolls up there. */
      parentId?: string | undefined;
    }
  | { id: string; at: number; type: 'note'; name: string; data?: unknown };

/**
 * Status events (type `bead`) kept per bead, at most: past it a bead's further events are `ignored`, so
 * what a bead read takes (attempts, time in each status) stays bounded whatever one client posts.
 */
export const MAX_BEAD_STATUS_EVENTS = 200;

export interface EventsResult extends TimeTally {
  accepted: number;
  duplicates: number;
  /** Bead events past MAX_BEAD_STATUS_EVENTS for their bead: not stored. */
  ignored: number;
}

/**
 * Counts one validated batch of town events into `batch` (the caller owns the transaction), idempotent by event id.
 * Status follows event time: an event older than the current status does not overwrite it.
 * The first report of a bead creates it (beads_created); a bead counts one close (beads_closed) while
 * its newest status event is a close, at its closed_at (applyBead).
 */
export function countEvents(batch: WriteBatch, events: readonly TownEvent[]): EventsResult {
  const { sql, slots } = batch;
  const result: EventsResult = { accepted: 0, duplicates: 0, ignored: 0, tooOld: 0, skewed: 0 };
  // Status events stored per bead, counted once per bead and batch (at most the cap's index entries).
  const stored = new Map<string, number>();
  forEachAtEventTime(events, batch.now, result, (event, at) => {
    if (event.type === 'bead') {
      const count = stored.get(event.beadId) ?? storedStatusEvents(sql, event.beadId);
      stored.set(event.beadId, count);
      if (count >= MAX_BEAD_STATUS_EVENTS) {
        if (sql.rows('SELECT 1 FROM events WHERE id = ?', event.id).length > 0) result.duplicates++;
        else result.ignored++;
        return;
      }
    }
    const inserted = sql.run(
      'INSERT INTO events (id, at, type, agent_id, bead_id, status, body) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
      event.id,
      at,
      event.type,
      event.type === 'agent' ? event.agentId : event.type === 'bead' ? (event.assigneeAgentId ?? null) : null,
      event.type === 'bead' ? event.beadId : event.type === 'agent' ? (event.beadId ?? null) : null,
      event.type === 'note' ? null : event.status,
      JSON.stringify(event),
    );
    if (inserted === 0) {
      result.duplicates++;
      return;
    }
    result.accepted++;
    slots.add(at, { events: 1 });
    if (event.type === 'agent') applyAgent(sql, event, at);
    if (event.type === 'agent') recordAgentBead(sql, event, at);
    if (event.type === 'bead') {
      stored.set(event.beadId, (stored.get(event.beadId) ?? 0) + 1);
      applyBead(sql, event, at, slots);
    }
  });
  return result;
}

/** The bead's stored status events, counted up to MAX_BEAD_STATUS_EVENTS. */
function storedStatusEvents(sql: Sql, beadId: string): number {
  const [[count]] = sql.rows(
    "SELECT COUNT(*) FROM (SELECT 1 FROM events INDEXED BY events_bead WHERE type = 'bead' AND bead_id = ? LIMIT ?)",
    beadId,
    MAX_BEAD_STATUS_EVENTS,
  ) as [[number]];
  return count;
}

/**
 * In an upsert of agents: whether the event being stored is newer, by (at, event id), than the one that gave
 * the row's role, its status. NULL event columns (its events pruned before migration 19 kept them): older.
 */
const ROLE_IS_NEWER = `excluded.role IS NOT NULL
  AND (role_at IS NULL OR (excluded.role_at, excluded.role_event_id) > (role_at, role_event_id))`;
const STATUS_IS_NEWER = `(excluded.status_at, excluded.status_event_id) > (status_at, COALESCE(status_event_id, ''))`;

/**
 * An agent's row follows its events by event time, whatever order they arrive in (ARCHITECTURE.md, "An
 * agent's state follows its events"): status and status_at are its newest event's by (at, event id), kept
 * as status_event_id; its role that of its newest event that gives one (role_at, role_event_id); the bead
 * it holds, its newest agent_beads row's (recordAgentBead). Each is one comparison with the row's own
 * columns, so no stored event is read.
 */
function applyAgent(sql: Sql, e: Extract<TownEvent, { type: 'agent' }>, at: number): void {
  const role = e.role ?? null;
  sql.run(
    `INSERT INTO agents (id, role, status, bead_id, status_at, last_seen_at, status_event_id, role_at, role_event_id)
     VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET
       last_seen_at = max(last_seen_at, excluded.last_seen_at),
       role = CASE WHEN ${ROLE_IS_NEWER} THEN excluded.role ELSE role END,
       role_at = CASE WHEN ${ROLE_IS_NEWER} THEN excluded.role_at ELSE role_at END,
       role_event_id = CASE WHEN ${ROLE_IS_NEWER} THEN excluded.role_event_id ELSE role_event_id END,
       status = CASE WHEN ${STATUS_IS_NEWER} THEN excluded.status ELSE status END,
       status_event_id = CASE WHEN ${STATUS_IS_NEWER} THEN excluded.status_event_id ELSE status_event_id END,
       status_at = max(status_at, excluded.status_at)`,
    e.agentId,
    role,
    e.status,
    at,
    at,
    e.id,
    role === null ? null : at,
    role === null ? null : e.id,
  );
}

/** The bead an agent holds: that of its newest agent_beads row by (at, event id), as attribution orders them. */
const SETTLE_AGENT_BEAD = `UPDATE agents SET bead_id = (SELECT ab.bead_id FROM agent_beads ab WHERE ab.agent_id = agents.id
   ORDER BY ab.at DESC, ab.event_id DESC LIMIT 1) WHERE id = ?`;

/**
 * The agent's bead from `at` on, for attributing its usage (town/beads/attribution.ts): an event that
 * names a bead starts it, one that goes idle or dead without naming one ends it, any other leaves it.
 * The bead it holds now is then its newest row's (one index seek), so an event arriving late or at the
 * same millisecond as another settles it as the event order does, not the arrival order.
 */
function recordAgentBead(sql: Sql, e: Extract<TownEvent, { type: 'agent' }>, at: number): void {
  if (e.beadId === undefined && e.status !== 'idle' && e.status !== 'dead') return;
  const added = sql.run(
    'INSERT OR IGNORE INTO agent_beads (agent_id, at, event_id, bead_id) VALUES (?, ?, ?, ?)',
    e.agentId,
    at,
    e.id,
    e.beadId ?? null,
  );
  if (added === 0) return;
  sql.run(SETTLE_AGENT_BEAD, e.agentId);
  queueBeadsMovedBy(sql, e.agentId, at, e.id, e.beadId ?? null);
  queueMove(sql, e.agentId, at);
}

/** A bead's stored status events, newest first (ties: the larger event id is the newer), for `beads.id`. */
const BEAD_EVENTS_NEWEST = (alias: string, where = '') =>
  `FROM events ${alias} INDEXED BY events_bead WHERE ${alias}.type = 'bead' AND ${alias}.bead_id = beads.id${where}
   ORDER BY ${alias}.at DESC, ${alias}.id DESC LIMIT 1`;

/**
 * The first close after the bead's newest non-close status event: the start of its last closed stretch.
 * NULL when it has no non-close event (a row value compared with no row is NULL, so no close qualifies).
 */
const LAST_CLOSED_STRETCH = `(SELECT MIN(c.at) FROM events c INDEXED BY events_bead
   WHERE c.type = 'bead' AND c.bead_id = beads.id AND c.status = 'closed'
     AND (c.at, c.id) > (SELECT o.at, o.id ${BEAD_EVENTS_NEWEST('o', " AND o.status <> 'closed'")}))`;
const FIRST_CLOSE = `(SELECT MIN(c.at) FROM events c INDEXED BY events_bead
   WHERE c.type = 'bead' AND c.bead_id = beads.id AND c.status = 'closed')`;

/**
 * A bead's row from its stored status events (ARCHITECTURE.md, "A bead's state follows its events"), so
 * that any order or repetition of the same events gives the same row:
 * - status and status_at: its newest event's, by (at, event id);
 * - closed_at: while that event is a close, the time of the first close of the last closed stretch (the
 *   closes after its newest non-close event), else NULL: a bead reopened is open again, and closed again
 *   it is closed from the close after the reopen. Retention prunes the oldest events first, so when every
 *   stored event is a close the stretch may have begun before them: the row's closed_at is kept if earlier;
 * - kind, title, assignee, parent: the newest event's that names one (evaluated only when the event just
 *   stored names one, so other events cost nothing here); a bead whose namers were pruned keeps its value.
 * Bounded: each subquery reads at most the bead's MAX_BEAD_STATUS_EVENTS index entries.
 */
const SETTLE_BEAD = `UPDATE beads SET
   status = (SELECT e.status ${BEAD_EVENTS_NEWEST('e')}),
   status_at = (SELECT e.at ${BEAD_EVENTS_NEWEST('e')}),
   closed_at = CASE WHEN (SELECT e.status ${BEAD_EVENTS_NEWEST('e')}) = 'closed'
     THEN COALESCE(${LAST_CLOSED_STRETCH}, min(COALESCE(closed_at, ${FIRST_CLOSE}), ${FIRST_CLOSE})) END,
   kind = CASE WHEN ? THEN COALESCE((SELECT json_extract(e.body, '$.kind') ${BEAD_EVENTS_NEWEST('e', " AND json_extract(e.body, '$.kind') IS NOT NULL")}), kind) ELSE kind END,
   title = CASE WHEN ? THEN COALESCE((SELECT json_extract(e.body, '$.title') ${BEAD_EVENTS_NEWEST('e', " AND json_extract(e.body, '$.title') IS NOT NULL")}), title) ELSE title END,
   assignee_agent_id = CASE WHEN ? THEN COALESCE((SELECT e.agent_id ${BEAD_EVENTS_NEWEST('e', ' AND e.agent_id IS NOT NULL')}), assignee_agent_id) ELSE assignee_agent_id END,
   parent_id = CASE WHEN ? THEN COALESCE((SELECT json_extract(e.body, '$.parentId') ${BEAD_EVENTS_NEWEST('e', " AND json_extract(e.body, '$.parentId') IS NOT NULL")}), parent_id) ELSE parent_id END
 WHERE id = ?`;

/**
 * A bead is created at its earliest reported time, and its status and close follow its stored events by
 * event time (SETTLE_BEAD), whatever order they arrive in. The beads_closed counter follows closed_at: a
 * change moves the bead's one close from the old time's slot to the new one's, or takes it back (reopened).
 */
function applyBead(sql: Sql, e: Extract<TownEvent, { type: 'bead' }>, at: number, slots: SlotCounters): void {
  const row = sql.rows('SELECT created_at, closed_at FROM beads WHERE id = ?', e.beadId)[0] as
    | [number, number | null]
    | undefined;
  if (!row) {
    sql.run(
      'INSERT INTO beads (id, status, kind, title, assignee_agent_id, status_at, created_at, closed_at, parent_id) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)',
      e.beadId,
      e.status,
      e.kind ?? null,
      e.title ?? null,
      e.assigneeAgentId ?? null,
      at,
      at,
      e.parentId ?? null,
    );
    slots.add(at, { beads_created: 1 });
  } else if (at < row[0]) {
    slots.add(row[0], { beads_created: -1 });
    slots.add(at, { beads_created: 1 });
    sql.run('UPDATE beads SET created_at = ? WHERE id = ?', at, e.beadId);
  }
  const closedBefore = row?.[1] ?? null;
  sql.run(
    SETTLE_BEAD,
    e.kind !== undefined ? 1 : 0,
    e.title !== undefined ? 1 : 0,
    e.assigneeAgentId !== undefined ? 1 : 0,
    e.parentId !== undefined ? 1 : 0,
    e.beadId,
  );
  const [[closedAfter]] = sql.rows('SELECT closed_at FROM beads WHERE id = ?', e.beadId) as [[number | null]];
  if (closedAfter !== closedBefore) {
    if (closedBefore !== null) slots.add(closedBefore, { beads_closed: -1 });
    if (closedAfter !== null) slots.add(closedAfter, { beads_closed: 1 });
  }
  if (e.status === 'in_review') recordLocAtReview(sql, e.beadId);
}

/**
 * The lines of code the bead's working agent (its assignee, else an agent holding it now) has unmerged
 * when the bead goes to review, as last reported: best effort, a review event that arrives late reads
 * the lines as they are then.
 */
function recordLocAtReview(sql: Sql, beadId: string): void {
  sql.run(
    `UPDATE beads SET loc_at_review = (
       SELECT l.additions + l.deletions FROM loc l
       WHERE l.agent_id = COALESCE(beads.assignee_agent_id, (SELECT id FROM agents WHERE bead_id = beads.id ORDER BY id LIMIT 1))
     ) WHERE id = ?`,
    beadId,
  );
}
