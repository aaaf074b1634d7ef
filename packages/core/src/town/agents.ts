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

export const DEFAULT_AGENTS_PAGE = 100;
export const MAX_AGENTS_PAGE = 500;

export interface AgentsQuery {
  limit?: number;
  /** The previous page's `nextCursor`: the agents whose id sorts after it. */
  cursor?: string | undefined;
}

export interface AgentsPage {
  agents: AgentRow[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

const HOUR = 3_600_000;

/**
 * The town's agents by id, a page at a time, with their tokens (all five kinds) over the last hour,
 * to the minute: agents with events, and agents seen only through their usage in that hour.
 */
export function listAgents(sql: Sql, now: number, q: AgentsQuery = {}): AgentsPage {
  const n = Math.max(1, Math.min(MAX_AGENTS_PAGE, Math.floor(q.limit ?? DEFAULT_AGENTS_PAGE)));
  const after = q.cursor ?? '';
  const hourAgo = slotStart(now - HOUR, 60_000);
  const rows = sql.rows(
    `WITH page(id) AS (
       SELECT id FROM agents WHERE id > ?
       UNION SELECT agent_id FROM breakdown_1m WHERE t >= ? AND agent_id > ?
       ORDER BY 1 LIMIT ?
     ),
     tokens(agent_id, n) AS (
       SELECT agent_id, SUM(tokens) FROM breakdown_1m WHERE t >= ? AND agent_id IN page GROUP BY agent_id
     )
     SELECT page.id, a.role, a.status, a.bead_id, a.last_seen_at, COALESCE(tokens.n, 0)
     FROM page LEFT JOIN agents a ON a.id = page.id LEFT JOIN tokens ON tokens.agent_id = page.id
     ORDER BY page.id`,
    after,
    hourAgo,
    after,
    n + 1,
    hourAgo,
  ) as [string, string | null, string | null, string | null, number | null, number][];
  const agents = rows.slice(0, n).map(([id, role, status, beadId, lastSeenAt, tokensLastHour]) => ({
    id,
    role,
    status: status ?? 'unknown',
    beadId,
    lastSeenAt,
    tokensLastHour,
  }));
  return { agents, nextCursor: rows.length > n ? (agents.at(-1)?.id ?? null) : null };
}
