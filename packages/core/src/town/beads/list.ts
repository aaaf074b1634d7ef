import { AppError } from '../../errors.js';
import type { Sql } from '../../sql.js';
import { END_OF_TIME, usageByBead, usageOf } from './attribution.js';
import { type BeadRow, beadInfo, holders, statusEvents, tokensOf, toRow } from './rows.js';

export const BEAD_SORTS = ['cost', 'tokens', 'duration', 'closedAt'] as const;
export type BeadSort = (typeof BEAD_SORTS)[number];
export const DEFAULT_BEADS_PAGE = 50;
export const MAX_BEADS_PAGE = 200;

export interface BeadsQuery {
  /** Beads with usage or a status change in [from, to); amounts are those dated in the range. */
  from?: number | undefined;
  to?: number | undefined;
  status?: string | undefined;
  sort?: BeadSort | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
}

export interface BeadsPage {
  items: BeadRow[];
  nextCursor: string | null;
}

const sortValue = (sort: BeadSort, r: BeadRow): number | null =>
  sort === 'cost' ? r.costMicrodollars : sort === 'tokens' ? tokensOf(r) : sort === 'duration' ? r.durationMs : r.closedAt;

interface BeadCursor {
  value: number | null;
  beadId: string;
  /** The `now` of the first page: an open bead's duration grows with it, so later pages keep it. */
  now?: number | undefined;
}

/**
 * A page position `<value>@<now>:<beadId>` (value empty for null; `@<now>` optional): rows sort by value,
 * largest first, nulls last, then id. `now` is at most 13 digits, below MAX_QUERY_EPOCH_MS.
 */
export function parseBeadCursor(cursor: string): BeadCursor | undefined {
  const m = /^(\d{0,16})(?:@(\d{1,13}))?:([\s\S]+)$/.exec(cursor);
  if (!m) return undefined;
  return { value: m[1] === '' ? null : Number(m[1]), beadId: m[3] as string, now: m[2] === undefined ? undefined : Number(m[2]) };
}

/** Negative when a sorts before b. */
function compare(a: { value: number | null; beadId: string }, b: { value: number | null; beadId: string }): number {
  if (a.value !== b.value) {
    if (a.value === null) return 1;
    if (b.value === null) return -1;
    return b.value - a.value;
  }
  return a.beadId < b.beadId ? -1 : a.beadId > b.beadId ? 1 : 0;
}

/**
 * The beads with activity in the range, most expensive first by default, a page at a time. Every bead of
 * the range is keyed from the per-bead totals (attribution.ts: whole hours from bead_hours, the range's
 * part-hour ends from records) and sorted; only the page's beads get their status events and holders.
 */
export function listBeads(sql: Sql, clockNow: number, q: BeadsQuery = {}): BeadsPage {
  const from = q.from ?? 0;
  const to = q.to ?? END_OF_TIME;
  if (to <= from) throw new AppError('bad_request', 'to must be after from', { path: 'to' });
  const sort = q.sort ?? 'cost';
  const limit = Math.max(1, Math.min(MAX_BEADS_PAGE, Math.floor(q.limit ?? DEFAULT_BEADS_PAGE)));
  const after = q.cursor === undefined ? undefined : parseBeadCursor(q.cursor);
  if (q.cursor !== undefined && !after) throw new AppError('bad_request', 'not a cursor from beads.list', { path: 'cursor' });
  const now = after?.now ?? clockNow;

  const usage = usageByBead(sql, from, to);
  const ids = new Set<string>();
  for (const bead of usage.keys()) if (bead !== null) ids.add(bead);
  // The bead events' own index (one entry a bead event): by time, SQLite would read each event of the range.
  const changed = sql.rows(
    "SELECT DISTINCT bead_id FROM events INDEXED BY events_bead WHERE type = 'bead' AND at >= ? AND at < ?",
    from,
    to,
  );
  for (const [bead] of changed) ids.add(bead as string);
  const list = [...ids];
  const info = beadInfo(sql, list);
  // Sort keys and the status filter need only the totals and the beads table.
  const rows = list
    .map((id) => toRow(id, info.get(id), usage.get(id), undefined, undefined, now))
    .filter((r) => q.status === undefined || r.status === q.status)
    .map((row) => ({ row, key: { value: sortValue(sort, row), beadId: row.beadId } }))
    .filter((r) => after === undefined || compare(r.key, after) > 0)
    .sort((a, b) => compare(a.key, b.key));
  const page = rows.slice(0, limit);
  const pageIds = page.map((r) => r.row.beadId);
  const events = statusEvents(sql, pageIds);
  const held = holders(sql, pageIds, to);
  const pageUsage = usageOf(sql, from, to, pageIds);
  const last = page.at(-1);
  return {
    items: pageIds.map((id) => toRow(id, info.get(id), pageUsage.get(id), held.get(id), events.get(id), now)),
    nextCursor: rows.length > limit && last ? `${last.key.value ?? ''}@${now}:${last.key.beadId}` : null,
  };
}
