import type { Sql } from '../../sql.js';
import { compareText } from '../../text-order.js';
import { MAX_BEAD_STATUS_EVENTS } from '../events.js';
import { type Amounts, type BeadUsage, COST_INDEX } from './attribution.js';
import { MAX_BEAD_AGENTS } from './columns.js';

/** Usage amounts of a bead (or of a bead and its descendants), by the usage API's field names. */
export interface BeadAmounts {
  costMicrodollars: number;
  inputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

/** One bead's account over a range. */
export interface BeadRow extends BeadAmounts {
  beadId: string;
  title: string | null;
  status: string | null;
  parentId: string | null;
  /** The agents its usage came from or that held it, by id, at most MAX_BEAD_AGENTS. */
  agents: string[];
  createdAt: number | null;
  closedAt: number | null;
  /** Until closed, or until now while it is not. */
  durationMs: number | null;
  /** How many times it went (back) to in_progress. */
  attempts: number;
}

export { MAX_BEAD_AGENTS };

export interface BeadInfo {
  title: string | null;
  status: string | null;
  parentId: string | null;
  createdAt: number | null;
  closedAt: number | null;
  locAtReview: number | null;
}

/** What the beads table knows of each bead (a bead named only by agents or usage has no row). */
export function beadInfo(sql: Sql, ids: readonly string[]): Map<string, BeadInfo> {
  const rows = sql.rows(
    `SELECT id, title, status, parent_id, created_at, closed_at, loc_at_review FROM beads
     WHERE id IN (SELECT value FROM json_each(?))`,
    JSON.stringify(ids),
  ) as [string, string | null, string | null, string | null, number, number | null, number | null][];
  return new Map(
    rows.map(([id, title, status, parentId, createdAt, closedAt, locAtReview]) => [
      id,
      { title, status, parentId, createdAt, closedAt, locAtReview },
    ]),
  );
}

/**
 * Status events of each bead in event-time order (ties by event id): the oldest MAX_BEAD_STATUS_EVENTS,
 * all that ingest keeps (a bead stored with more before the cap read the same prefix). One bounded read
 * per bead: events_bead orders them (bead_id, at, then the primary key id).
 */
export function statusEvents(sql: Sql, ids: readonly string[]): Map<string, { at: number; status: string }[]> {
  const byBead = new Map<string, { at: number; status: string }[]>();
  for (const bead of new Set(ids)) {
    const rows = sql.rows(
      `SELECT at, status FROM events INDEXED BY events_bead WHERE type = 'bead' AND bead_id = ? ORDER BY at, id LIMIT ?`,
      bead,
      MAX_BEAD_STATUS_EVENTS,
    ) as [number, string][];
    if (rows.length > 0)
      byBead.set(
        bead,
        rows.map(([at, status]) => ({ at, status })),
      );
  }
  return byBead;
}

/** Entries into in_progress from another status (the first start counts one). */
export function attemptsOf(events: readonly { status: string }[]): number {
  let attempts = 0;
  let previous: string | null = null;
  for (const e of events) {
    if (e.status === 'in_progress' && previous !== 'in_progress') attempts++;
    previous = e.status;
  }
  return attempts;
}

/**
 * The first MAX_BEAD_AGENTS agents by id that took each bead before `to`: a walk of agent_beads_bead
 * (bead_id, then the key: agent, at, event id) per bead, so a bead 20,000 agents took costs its first agents'
 * rows, not 20,000 (all of them read and sorted in JS, a beads.get of it took ~0.6 s).
 */
export function holders(sql: Sql, ids: readonly string[], to: number): Map<string, Set<string>> {
  const byBead = new Map<string, Set<string>>();
  for (const bead of new Set(ids)) {
    const rows = sql.rows(
      `SELECT DISTINCT agent_id FROM agent_beads INDEXED BY agent_beads_bead WHERE bead_id = ? AND at < ?
       ORDER BY agent_id LIMIT ?`,
      bead,
      to,
      MAX_BEAD_AGENTS,
    ) as [string][];
    if (rows.length > 0) byBead.set(bead, new Set(rows.map(([agent]) => agent)));
  }
  return byBead;
}

export function toRow(
  beadId: string,
  info: BeadInfo | undefined,
  usage: BeadUsage | undefined,
  heldBy: Set<string> | undefined,
  events: readonly { status: string }[] | undefined,
  now: number,
): BeadRow {
  const a: Amounts = usage?.amounts ?? [0, 0, 0, 0, 0, 0];
  const agents = [...new Set([...(usage?.agents ?? []), ...(heldBy ?? [])])].sort(compareText).slice(0, MAX_BEAD_AGENTS);
  const createdAt = info?.createdAt ?? null;
  const closedAt = info?.closedAt ?? null;
  return {
    beadId,
    title: info?.title ?? null,
    status: info?.status ?? null,
    parentId: info?.parentId ?? null,
    costMicrodollars: a[COST_INDEX] as number,
    inputTokens: a[0] as number,
    outputTokens: a[1] as number,
    reasoningTokens: a[2] as number,
    cacheReadTokens: a[3] as number,
    cacheWriteTokens: a[4] as number,
    agents,
    createdAt,
    closedAt,
    durationMs: createdAt === null ? null : Math.max(0, (closedAt ?? now) - createdAt),
    attempts: attemptsOf(events ?? []),
  };
}

export const tokensOf = (r: BeadRow): number =>
  r.inputTokens + r.outputTokens + r.reasoningTokens + r.cacheReadTokens + r.cacheWriteTokens;
