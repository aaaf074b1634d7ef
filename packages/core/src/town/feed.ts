import type { Sql } from '../sql.js';

export interface FeedEvent {
  id: string;
  at: number;
  type: string;
  agentId: string | null;
  beadId: string | null;
  status: string | null;
  body: unknown;
  /** A note whose data is longer than FEED_NOTE_DATA_CHARS is listed without it; `event(id)` has it. */
  dataOmitted: boolean;
}

export const DEFAULT_FEED_EVENTS = 50;
export const MAX_FEED_EVENTS = 200;
/**
 * A listed note carries its data up to this many characters of JSON. A note's data may be 16 KiB,
 * and a feed refetched every second must not carry 50 of those each time.
 */
export const FEED_NOTE_DATA_CHARS = 1024;

export interface EventsQuery {
  limit?: number;
  /** The previous page's `nextCursor`: the events older than its last one. */
  cursor?: string | undefined;
}

export interface EventsPage {
  events: FeedEvent[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** A page position `<at>.<id>`: events sort by (at, id), newest first, and ids are unique. */
export function eventCursor(e: { at: number; id: string }): string {
  return `${e.at}.${e.id}`;
}

/** The (at, id) of a cursor, or undefined for anything eventCursor did not make. */
export function parseEventCursor(cursor: string): { at: number; id: string } | undefined {
  const m = /^(\d{1,16})\.([\s\S]+)$/.exec(cursor);
  return m ? { at: Number(m[1]), id: m[2] as string } : undefined;
}

type Row = [string, number, string, string | null, string | null, string | null, string, number];

const toEvent = ([id, at, type, agentId, beadId, status, body, omitted]: Row): FeedEvent => ({
  id,
  at,
  type,
  agentId,
  beadId,
  status,
  body: JSON.parse(body),
  dataOmitted: omitted === 1,
});

/**
 * The newest events first, a page at a time. Big note data is cut out in SQL, so a page never parses
 * or sends it (the length test on the whole body first spares parsing the JSON of small events).
 */
export function recentEvents(sql: Sql, q: EventsQuery = {}): EventsPage {
  const n = Math.max(1, Math.min(MAX_FEED_EVENTS, Math.floor(q.limit ?? DEFAULT_FEED_EVENTS)));
  const from = q.cursor === undefined ? undefined : parseEventCursor(q.cursor);
  const rows = sql.rows(
    `SELECT id, at, type, agent_id, bead_id, status, CASE WHEN big THEN json_remove(body, '$.data') ELSE body END, big FROM (
       SELECT *, type = 'note' AND length(body) > ? AND length(body -> '$.data') > ? AS big
       FROM events WHERE (at, id) < (?, ?) ORDER BY at DESC, id DESC LIMIT ?
     ) ORDER BY at DESC, id DESC`,
    FEED_NOTE_DATA_CHARS,
    FEED_NOTE_DATA_CHARS,
    from?.at ?? Number.MAX_SAFE_INTEGER,
    from?.id ?? '',
    n + 1,
  ) as Row[];
  const events = rows.slice(0, n).map(toEvent);
  const last = events.at(-1);
  return { events, nextCursor: rows.length > n && last ? eventCursor(last) : null };
}

/** One event with everything it was sent with. */
export function eventById(sql: Sql, id: string): FeedEvent | undefined {
  const row = sql.rows('SELECT id, at, type, agent_id, bead_id, status, body, 0 FROM events WHERE id = ?', id)[0] as
    | Row
    | undefined;
  return row && toEvent(row);
}
