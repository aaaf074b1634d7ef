import type { Sql } from '../../sql.js';
import { compareText } from '../../text-order.js';
import { chooseResolution } from '../resolution.js';
import {
  type Amounts,
  addAmounts,
  beadCostRows,
  beadTimes,
  beadUsage,
  COST_INDEX,
  END_OF_TIME,
  usageHours,
  usageOf,
  zeroAmounts,
} from './attribution.js';
import { type BeadAmounts, type BeadRow, beadInfo, holders, statusEvents, toRow } from './rows.js';
import { HOUR } from './totals.js';

export const MAX_BEAD_CHILDREN = 200;
export const MAX_BEAD_TIMELINE = 500;
/** Descendants summed into a parent's roll-up, at most (a deeper or wider tree is cut, and says so). */
export const MAX_ROLLUP_BEADS = 1000;
const COST_POINTS = 200;
const TIMED_STATUSES = ['open', 'in_progress', 'in_review', 'blocked'] as const;

export interface BeadDetail {
  bead: BeadRow;
  /** Time spent in each status (ms), the current one until now. */
  statusTime: { open: number; in_progress: number; in_review: number; blocked: number };
  locAtReview: number | null;
  /** Its direct children (parentId), most expensive first, at most MAX_BEAD_CHILDREN. */
  children: BeadRow[];
  /** Its own usage plus every descendant's (at most MAX_ROLLUP_BEADS of them; `truncated` if more). */
  rollup: BeadAmounts & { beads: number; truncated: boolean };
  /** Its status changes and the agents that took it, oldest first: the newest MAX_BEAD_TIMELINE. */
  timeline: { t: number; kind: 'status' | 'agent'; status?: string; agentId?: string }[];
  /** Cost over its life, columnar like metrics.timeseries: bucket starts and each bucket's cost. */
  cost: { step: number; t: number[]; cost: (number | null)[] };
}

/** One bead's account, or undefined when the town has never heard of it. */
export function getBead(sql: Sql, now: number, beadId: string): BeadDetail | undefined {
  const info = beadInfo(sql, [beadId]).get(beadId);
  const usage = beadUsage(sql, beadId);
  const held = holders(sql, [beadId], END_OF_TIME).get(beadId);
  const childIds = (
    sql.rows('SELECT id FROM beads WHERE parent_id = ? ORDER BY id LIMIT ?', beadId, MAX_BEAD_CHILDREN * 5) as [string][]
  ).map(([id]) => id);
  // A parent named only by its children's parentId (a convoy that never reported itself) is known too.
  if (!info && !held && usage.agents.size === 0 && childIds.length === 0) return undefined;
  const events = statusEvents(sql, [beadId]).get(beadId) ?? [];
  const bead = toRow(beadId, info, usage, held, events, now);

  const childInfo = beadInfo(sql, childIds);
  const childHeld = holders(sql, childIds, END_OF_TIME);
  const childUsage = usageOf(sql, 0, END_OF_TIME, childIds);
  // The order needs no status events: only the children kept read theirs (attempts).
  const kept = childIds
    .map((id) => toRow(id, childInfo.get(id), childUsage.get(id), childHeld.get(id), undefined, now))
    .sort((a, b) => b.costMicrodollars - a.costMicrodollars || compareText(a.beadId, b.beadId))
    .slice(0, MAX_BEAD_CHILDREN)
    .map((r) => r.beadId);
  const childEvents = statusEvents(sql, kept);
  const children = kept.map((id) =>
    toRow(id, childInfo.get(id), childUsage.get(id), childHeld.get(id), childEvents.get(id), now),
  );

  return {
    bead,
    statusTime: statusTime(events, now),
    locAtReview: info?.locAtReview ?? null,
    children,
    rollup: rollup(sql, beadId, usage.amounts),
    timeline: timeline(sql, beadId),
    cost: costSeries(sql, now, beadId, bead),
  };
}

function statusTime(events: readonly { at: number; status: string }[], now: number): BeadDetail['statusTime'] {
  const time = { open: 0, in_progress: 0, in_review: 0, blocked: 0 };
  events.forEach((e, i) => {
    const end = events[i + 1]?.at ?? Math.max(now, e.at);
    const status = TIMED_STATUSES.find((s) => s === e.status);
    if (status) time[status] += end - e.at;
  });
  return time;
}

function rollup(sql: Sql, beadId: string, own: Amounts): BeadDetail['rollup'] {
  // UNION (not UNION ALL) stops at a cycle of parents.
  const descendants = sql.rows(
    `WITH RECURSIVE tree(id) AS (
       SELECT id FROM beads WHERE parent_id = ?
       UNION SELECT b.id FROM beads b JOIN tree ON b.parent_id = tree.id
     ) SELECT id FROM tree WHERE id != ? LIMIT ?`,
    beadId,
    beadId,
    MAX_ROLLUP_BEADS + 1,
  ) as [string][];
  const sum = zeroAmounts();
  addAmounts(sum, own);
  const ids = descendants.slice(0, MAX_ROLLUP_BEADS).map(([id]) => id);
  for (const usage of usageOf(sql, 0, END_OF_TIME, ids, false).values()) addAmounts(sum, usage.amounts);
  return {
    costMicrodollars: sum[COST_INDEX] as number,
    inputTokens: sum[0] as number,
    outputTokens: sum[1] as number,
    reasoningTokens: sum[2] as number,
    cacheReadTokens: sum[3] as number,
    cacheWriteTokens: sum[4] as number,
    beads: 1 + Math.min(descendants.length, MAX_ROLLUP_BEADS),
    truncated: descendants.length > MAX_ROLLUP_BEADS,
  };
}

function timeline(sql: Sql, beadId: string): BeadDetail['timeline'] {
  const rows = sql.rows(
    `SELECT * FROM (
       SELECT at, id, 'status' AS kind, status, NULL AS agent FROM events WHERE type = 'bead' AND bead_id = ?
       UNION ALL SELECT at, event_id, 'agent', NULL, agent_id FROM agent_beads WHERE bead_id = ?
     ) ORDER BY at DESC, id DESC LIMIT ?`,
    beadId,
    beadId,
    MAX_BEAD_TIMELINE,
  ) as [number, string, 'status' | 'agent', string | null, string | null][];
  return rows
    .reverse()
    .map(([t, , kind, status, agentId]) =>
      kind === 'status' ? { t, kind, status: status as string } : { t, kind, agentId: agentId as string },
    );
}

/**
 * Cost per bucket from its creation (or first usage) to its close (or now), at most COST_POINTS buckets.
 * Its first and last usage: the hours from bead_hours, the ms within those two hours from their records.
 */
function costSeries(sql: Sql, now: number, beadId: string, bead: BeadRow): BeadDetail['cost'] {
  let first = Math.min(bead.createdAt ?? now, now);
  let last = Math.max(bead.closedAt ?? now, first);
  const hours = usageHours(sql, beadId);
  const [firstHour] = hours[0] ?? [];
  const [lastHour] = hours.at(-1) ?? [];
  // The earliest and latest event time within those hours (one row each, not one per record).
  const times = (hour: number | undefined) =>
    hour === undefined ? undefined : beadTimes(sql, beadId, hour * HOUR, (hour + 1) * HOUR);
  const earliest = times(firstHour)?.[0];
  const latest = times(lastHour)?.[1];
  if (earliest !== undefined) first = Math.min(first, earliest);
  if (latest !== undefined) last = Math.max(last, latest);
  const { step, start, count } = chooseResolution(first, last + 1, now, COST_POINTS);
  const cost: number[] = new Array(count).fill(0);
  for (const [bucket, sum] of beadCostRows(sql, beadId, start, start + count * step, step)) {
    if (bucket >= 0 && bucket < count) cost[bucket] = (cost[bucket] as number) + sum;
  }
  return { step, t: cost.map((_, i) => start + i * step), cost };
}
