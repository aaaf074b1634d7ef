import type { Sql } from '../sql.js';
import { slotStart } from './tiers.js';

export interface AgentRow {
  id: string;
  role: string | null;
  /** As last reported by an agent event; `unknown` for an agent seen only through its usage. */
  status: string;
  beadId: string | null;
  lastSeenAt: number | null;
  tokensLastHour: number;
}

const HOUR = 3_600_000;

/** Every agent the town knows, with its tokens (all five kinds) over the last hour, to the minute. */
export function listAgents(sql: Sql, now: number): AgentRow[] {
  const tokens = new Map(
    sql.rows('SELECT agent_id, SUM(tokens) FROM breakdown_1m WHERE t >= ? GROUP BY agent_id', slotStart(now - HOUR, 60_000)) as [
      string,
      number,
    ][],
  );
  const agents: AgentRow[] = (
    sql.rows('SELECT id, role, status, bead_id, last_seen_at FROM agents ORDER BY id') as [
      string,
      string | null,
      string,
      string | null,
      number,
    ][]
  ).map(([id, role, status, beadId, lastSeenAt]) => ({
    id,
    role,
    status,
    beadId,
    lastSeenAt,
    tokensLastHour: tokens.get(id) ?? 0,
  }));
  const known = new Set(agents.map((a) => a.id));
  for (const [id, n] of tokens) {
    if (!known.has(id)) agents.push({ id, role: null, status: 'unknown', beadId: null, lastSeenAt: null, tokensLastHour: n });
  }
  return agents;
}

export interface FeedEvent {
  id: string;
  at: number;
  type: string;
  agentId: string | null;
  beadId: string | null;
  status: string | null;
  body: unknown;
}

export const MAX_FEED_EVENTS = 500;

/** The newest events first, for the live feed. */
export function recentEvents(sql: Sql, limit: number): FeedEvent[] {
  const n = Math.max(1, Math.min(MAX_FEED_EVENTS, Math.floor(limit)));
  return (
    sql.rows(`SELECT id, at, type, agent_id, bead_id, status, body FROM events ORDER BY at DESC, id DESC LIMIT ${n}`) as [
      string,
      number,
      string,
      string | null,
      string | null,
      string | null,
      string,
    ][]
  ).map(([id, at, type, agentId, beadId, status, body]) => ({ id, at, type, agentId, beadId, status, body: JSON.parse(body) }));
}
