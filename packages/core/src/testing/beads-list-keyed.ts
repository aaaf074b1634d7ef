import type { Sql } from '../sql.js';
import { compareText } from '../text-order.js';
import { END_OF_TIME, usageByBead, usageOf } from '../town/beads/attribution.js';
import {
  type BeadSort,
  type BeadsPage,
  type BeadsQuery,
  DEFAULT_BEADS_PAGE,
  MAX_BEADS_PAGE,
  parseBeadCursor,
} from '../town/beads/list.js';
import { type BeadRow, beadInfo, holders, statusEvents, tokensOf, toRow } from '../town/beads/rows.js';

type Key = { value: number | null; beadId: string };

/** Negative when a sorts before b: nulls last, largest first, then id. */
function compare(a: Key, b: Key): number {
  if (a.value !== b.value) {
    if (a.value === null) return 1;
    if (b.value === null) return -1;
    return b.value - a.value;
  }
  return compareText(a.beadId, b.beadId);
}

const sortValue = (sort: BeadSort, r: BeadRow): number | null =>
  sort === 'cost' ? r.costMicrodollars : sort === 'tokens' ? tokensOf(r) : sort === 'duration' ? r.durationMs : r.closedAt;

/**
 * beads.list as it was before its keys moved into SQL, the reference the tests and the bench compare
 * listBeads with: every bead of the range keyed in JS (a row each from usageByBead and the beads table),
 * filtered, sorted, then the page's rows built. Valid input only (listBeads validates).
 */
export function listBeadsKeyed(sql: Sql, clockNow: number, q: BeadsQuery = {}): BeadsPage {
  const from = q.from ?? 0;
  const to = q.to ?? END_OF_TIME;
  const sort = q.sort ?? 'cost';
  const limit = Math.max(1, Math.min(MAX_BEADS_PAGE, Math.floor(q.limit ?? DEFAULT_BEADS_PAGE)));
  const after = q.cursor === undefined ? undefined : parseBeadCursor(q.cursor);
  const now = after?.now ?? clockNow;
  const usage = usageByBead(sql, from, to);
  const ids = new Set<string>();
  for (const bead of usage.keys()) if (bead !== null) ids.add(bead);
  const changed = sql.rows(
    "SELECT DISTINCT bead_id FROM events INDEXED BY events_bead WHERE type = 'bead' AND at >= ? AND at < ?",
    from,
    to,
  );
  for (const [bead] of changed) ids.add(bead as string);
  const list = [...ids];
  const info = beadInfo(sql, list);
  const keys = list
    .map((id) => toRow(id, info.get(id), usage.get(id), undefined, undefined, now))
    .filter((r) => q.status === undefined || r.status === q.status)
    .map((row) => ({ value: sortValue(sort, row), beadId: row.beadId }))
    .filter((k) => after === undefined || compare(k, after) > 0)
    .sort(compare)
    .slice(0, limit + 1);
  const page = keys.slice(0, limit);
  const pageIds = page.map((k) => k.beadId);
  const pageInfo = beadInfo(sql, pageIds);
  const events = statusEvents(sql, pageIds);
  const held = holders(sql, pageIds, to);
  const pageUsage = usageOf(sql, from, to, pageIds);
  const last = page.at(-1);
  return {
    items: pageIds.map((id) => toRow(id, pageInfo.get(id), pageUsage.get(id), held.get(id), events.get(id), now)),
    nextCursor: keys.length > limit && last ? `${last.value ?? ''}@${now}:${last.beadId}` : null,
  };
}
