import { AppError } from '../../errors.js';
import type { Sql, SqlValue } from '../../sql.js';
import { compareText } from '../../text-order.js';
import { AMOUNT_COLUMNS, addAmounts, COST_INDEX, END_OF_TIME, usageOf, usageParts } from './attribution.js';
import { type BeadRow, beadInfo, holders, statusEvents, toRow } from './rows.js';
import { contributions, NO_BEAD, PENDING_RECS } from './totals.js';

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
  return compareText(a.beadId, b.beadId);
}

/**
 * The beads with activity in the range, most expensive first by default, a page at a time. Over all time
 * by cost or tokens, bead_totals in sort order (allTimeKeys); otherwise one statement keys the range's
 * beads from the per-bead totals (attribution.ts: whole hours from bead_hours, the range's part-hour ends
 * from records), filters, sorts and cuts the page (rangeKeys). Only the page's beads get their status
 * events and holders.
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
  if (from === 0 && to === END_OF_TIME && q.status === undefined && (sort === 'cost' || sort === 'tokens')) {
    return pageOf(sql, now, to, allTimeKeys(sql, sort, limit, after), limit);
  }
  return pageOf(sql, now, to, rangeKeys(sql, now, from, to, q.status, sort, limit, after), limit, from);
}

const SUMS = AMOUNT_COLUMNS.map((c) => `SUM(${c}) AS ${c}`).join(', ');

/**
 * CTEs ending in `usage` (bead, then the amounts): usageByBead's beads with usage in [from, to), the no-bead
 * spend left out. Over all time, bead_totals as they are (one row a bead, in bead order) joined to the pending
 * records' corrections grouped per bead (at most a tick's worth), not grouped again with them: that
 * grouping sorted a row per bead in a temp B-tree.
 */
export function usageByBeadSql(from: number, to: number): { ctes: string; params: SqlValue[] } {
  if (from === 0 && to >= END_OF_TIME) {
    const corrected = AMOUNT_COLUMNS.map((c) => `t.${c} + COALESCE(p.${c}, 0) AS ${c}`).join(', ');
    return {
      ctes: `pending AS MATERIALIZED (SELECT bead, SUM(n) AS n, ${SUMS} FROM (${contributions(PENDING_RECS)}) GROUP BY bead),
        usage AS MATERIALIZED (
          SELECT bead, ${COLS} FROM (
            SELECT t.bead AS bead, t.records + COALESCE(p.n, 0) AS n, ${corrected}
            FROM bead_totals t LEFT JOIN pending p ON p.bead = t.bead
            UNION ALL
            SELECT bead, n, ${COLS} FROM pending p WHERE NOT EXISTS (SELECT 1 FROM bead_totals t WHERE t.bead = p.bead)
          ) WHERE n > 0 AND bead != '${NO_BEAD}'
        )`,
      params: [],
    };
  }
  const parts = usageParts(from, to, undefined, false);
  return {
    ctes:
      parts === undefined
        ? `usage AS MATERIALIZED (SELECT '' AS bead, ${AMOUNT_COLUMNS.map((c) => `0 AS ${c}`).join(', ')} WHERE false)`
        : `usage AS MATERIALIZED (SELECT bead, ${SUMS} FROM (${parts.sql}) WHERE bead != '${NO_BEAD}' GROUP BY bead HAVING SUM(n) > 0)`,
    params: parts?.params ?? [],
  };
}

/**
 * The sorted keys of the first limit + 1 beads of [from, to) after `after`, in one statement: the beads
 * with usage (usageParts summed per bead, as usageOf does) and those with status events in the range
 * (0), their sort value (toRow's: a bead without a beads row has no duration nor close), the status
 * filter, the cursor and the order — nulls last, largest first, then id — all in SQLite, so JS touches
 * only the page. It still reads every bead of the range, in SQL (temp B-trees for the sums and the order).
 *
 * By cost or tokens a bead with status events and no usage is 0, the least value there is (amounts are never
 * negative), so those beads are keyed only when the page reaches 0, as allTimeKeys does: finding them read
 * every bead status event of the range through events_at and the events row behind each (an hour of 300,000
 * beads opened and half of them closed: 0.4 s of a 0.9 s page). Nor is the beads row joined without a
 * status filter: a cost or a token count does not need it.
 */
function rangeKeys(
  sql: Sql,
  now: number,
  from: number,
  to: number,
  status: string | undefined,
  sort: BeadSort,
  limit: number,
  after: Key | undefined,
): Key[] {
  const byAmount = sort === 'cost' || sort === 'tokens';
  if (byAmount && after?.value !== 0) {
    const keys = rangeKeysOnce(sql, now, from, to, status, sort, limit, after, false);
    const last = keys.at(-1);
    if (keys.length > limit && last !== undefined && last.value !== null && last.value > 0) return keys;
  }
  return rangeKeysOnce(sql, now, from, to, status, sort, limit, after, true);
}

/** rangeKeys' statement, with or without the beads that have status events and no usage (zeroBeads). */
function rangeKeysOnce(
  sql: Sql,
  now: number,
  from: number,
  to: number,
  status: string | undefined,
  sort: BeadSort,
  limit: number,
  after: Key | undefined,
  withZero: boolean,
): Key[] {
  const usage = usageByBeadSql(from, to);
  const value =
    sort === 'cost'
      ? 'k.cost'
      : sort === 'tokens'
        ? 'k.tokens'
        : sort === 'duration'
          ? 'CASE WHEN b.id IS NULL THEN NULL ELSE MAX(0, COALESCE(b.closed_at, ?) - b.created_at) END'
          : 'b.closed_at';
  const withBead = status !== undefined || sort === 'duration' || sort === 'closedAt';
  // A bead with status events has a beads row (ingest adds it with the first; none is deleted): zeroBeads.
  // Nulls sort last in SQLite's DESC order, as in compare; the cursor's condition spells them out.
  const rows = sql.rows(
    `WITH ${usage.ctes},
     keyed AS (
       SELECT bead AS id, cost_microdollars AS cost, ${TOKENS_SQL} AS tokens FROM usage
       ${withZero ? `UNION ALL ${zeroBeads(from, to)}` : ''}
     ),
     valued AS (
       SELECT k.id AS id, ${value} AS v FROM keyed k
       ${withBead ? 'LEFT JOIN beads b ON b.id = k.id WHERE ? IS NULL OR b.status = ?' : ''}
     )
     SELECT id, v FROM valued
     WHERE ? = 0 OR (CASE WHEN ? IS NULL THEN v IS NULL AND id > ? ELSE v IS NULL OR v < ? OR (v = ? AND id > ?) END)
     ORDER BY v DESC, id LIMIT ?`,
    ...usage.params,
    ...(withZero ? [from, to] : []),
    ...(sort === 'duration' ? [now] : []),
    ...(withBead ? [status ?? null, status ?? null] : []),
    after === undefined ? 0 : 1,
    after?.value ?? null,
    after?.beadId ?? null,
    after?.value ?? null,
    after?.value ?? null,
    after?.beadId ?? null,
    limit + 1,
  ) as [string, number | null][];
  return rows.map(([beadId, v]) => ({ value: v, beadId }));
}

/**
 * rangeKeys' beads without usage in [from, to) that have status events in it (two parameters, from and to).
 * Over all time every bead, a seek into events_bead each (every bead is read anyway); over a range the
 * range's status events by time, so a page does not cost every bead ever reported.
 */
function zeroBeads(from: number, to: number): string {
  return from === 0 && to >= END_OF_TIME
    ? `SELECT b.id, 0, 0 FROM beads b WHERE b.id NOT IN (SELECT bead FROM usage) AND EXISTS (
         SELECT 1 FROM events e INDEXED BY events_bead WHERE e.type = 'bead' AND e.bead_id = b.id AND e.at >= ? AND e.at < ?)`
    : `SELECT DISTINCT e.bead_id, 0, 0 FROM events e INDEXED BY events_at
       WHERE e.at >= ? AND e.at < ? AND e.type = 'bead' AND e.bead_id NOT IN (SELECT bead FROM usage)`;
}

type Key = { value: number | null; beadId: string };

/** The page's rows from the sorted keys after the cursor (one more than the page when there is a next). */
function pageOf(sql: Sql, now: number, to: number, keys: readonly Key[], limit: number, from = 0): BeadsPage {
  const page = keys.slice(0, limit);
  const pageIds = page.map((k) => k.beadId);
  const info = beadInfo(sql, pageIds);
  const events = statusEvents(sql, pageIds);
  const held = holders(sql, pageIds, to);
  const pageUsage = usageOf(sql, from, to, pageIds);
  const last = page.at(-1);
  return {
    items: pageIds.map((id) => toRow(id, info.get(id), pageUsage.get(id), held.get(id), events.get(id), now)),
    nextCursor: keys.length > limit && last ? `${last.value ?? ''}@${now}:${last.beadId}` : null,
  };
}

const COLS = AMOUNT_COLUMNS.join(', ');
const TOKENS_SQL = AMOUNT_COLUMNS.filter((c) => c !== 'cost_microdollars').join(' + ');

/**
 * The sorted keys of the first limit + 1 beads after `after`, over all time, by cost or tokens, without
 * keying every bead: bead_totals walked in its sort order (migration 14's indexes), merged with the beads
 * the records not yet re-applied change (their totals corrected, as usageOf does; at most a tick's worth)
 * and, once the page reaches 0, the beads known only by status events (0, by id).
 */
function allTimeKeys(sql: Sql, sort: 'cost' | 'tokens', limit: number, after: Key | undefined): Key[] {
  // Every value is a number here: past a null cursor (never given for these sorts) nothing follows.
  if (after !== undefined && after.value === null) return [];
  const want = limit + 1;
  const valueSql = sort === 'cost' ? 'cost_microdollars' : `(${TOKENS_SQL})`;
  const sortValueOf = (a: readonly number[]) =>
    sort === 'cost' ? (a[COST_INDEX] as number) : a.reduce((sum, x, i) => (i === COST_INDEX ? sum : sum + x), 0);
  const afterThis = (k: Key) => after === undefined || compare(k, after) > 0;

  // The pending records' contributions per bead, and those beads' corrected totals.
  const pending = new Map<string, { n: number; amounts: number[] }>();
  for (const [bead, n, ...sums] of sql.rows(
    `SELECT bead, SUM(n), ${AMOUNT_COLUMNS.map((c) => `SUM(${c})`).join(', ')} FROM (${contributions(PENDING_RECS)})
     WHERE bead != '${NO_BEAD}' GROUP BY bead`,
  )) {
    pending.set(bead as string, { n: n as number, amounts: sums as number[] });
  }
  const changed = JSON.stringify([...pending.keys()]);
  for (const [bead, records, ...sums] of sql.rows(
    `SELECT bead, records, ${AMOUNT_COLUMNS.join(', ')} FROM bead_totals WHERE bead IN (SELECT value FROM json_each(?))`,
    changed,
  )) {
    const p = pending.get(bead as string) as { n: number; amounts: number[] };
    p.n += records as number;
    addAmounts(p.amounts, sums as number[]);
  }
  const keys: Key[] = [];
  const withUsage = new Set<string>();
  for (const [beadId, p] of pending) {
    if (p.n <= 0) continue;
    withUsage.add(beadId);
    const key = { value: sortValueOf(p.amounts), beadId };
    if (afterThis(key)) keys.push(key);
  }

  // bead_totals in sort order after the cursor, skipping the beads corrected above (at most as many).
  let cursor = after;
  let taken = 0;
  for (let done = false; !done && taken < want; ) {
    const chunk = want + 16;
    const rows = (
      cursor === undefined
        ? sql.rows(
            `SELECT bead, ${valueSql} FROM bead_totals WHERE bead != '${NO_BEAD}' ORDER BY ${valueSql} DESC, bead LIMIT ?`,
            chunk,
          )
        : [
            ...sql.rows(
              `SELECT bead, ${valueSql} FROM bead_totals WHERE ${valueSql} = ? AND bead > ? ORDER BY bead LIMIT ?`,
              cursor.value,
              cursor.beadId,
              chunk,
            ),
            ...sql.rows(
              `SELECT bead, ${valueSql} FROM bead_totals WHERE ${valueSql} < ? AND bead != '${NO_BEAD}'
               ORDER BY ${valueSql} DESC, bead LIMIT ?`,
              cursor.value,
              chunk,
            ),
          ].slice(0, chunk)
    ) as [string, number][];
    done = rows.length < chunk;
    for (const [beadId, value] of rows) {
      if (!pending.has(beadId) && taken < want) {
        keys.push({ value, beadId });
        taken++;
      }
      cursor = { value, beadId };
    }
  }
  keys.sort(compare);
  keys.length = Math.min(keys.length, want);

  // Beads with status events and no usage are 0: needed only when the page reaches 0.
  const lastKey = keys.at(-1);
  if (keys.length < want || (lastKey !== undefined && lastKey.value === 0)) {
    const fromId = after !== undefined && after.value === 0 ? after.beadId : '';
    // Corrected beads with usage but no bead_totals row are skipped below, so read as many more.
    const zero = sql.rows(
      `SELECT b.id FROM beads b WHERE b.id > ? AND NOT EXISTS (SELECT 1 FROM bead_totals t WHERE t.bead = b.id)
         AND EXISTS (SELECT 1 FROM events e INDEXED BY events_bead WHERE e.type = 'bead' AND e.bead_id = b.id)
       ORDER BY b.id LIMIT ?`,
      fromId,
      want + withUsage.size,
    ) as [string][];
    const zeroIds = new Set(zero.map(([beadId]) => beadId).filter((beadId) => !withUsage.has(beadId)));
    // Beads whose every record moved away (pending) keep a bead_totals row until the tick: 0 if they have status events.
    const emptied = [...pending].filter(([beadId, p]) => p.n <= 0 && compareText(beadId, fromId) > 0).map(([beadId]) => beadId);
    for (const [beadId] of sql.rows(
      `SELECT DISTINCT bead_id FROM events INDEXED BY events_bead WHERE type = 'bead' AND bead_id IN (SELECT value FROM json_each(?))`,
      JSON.stringify(emptied),
    ) as [string][]) {
      zeroIds.add(beadId);
    }
    for (const beadId of zeroIds) keys.push({ value: 0, beadId });
    keys.sort(compare);
    keys.length = Math.min(keys.length, want);
  }
  return keys;
}
