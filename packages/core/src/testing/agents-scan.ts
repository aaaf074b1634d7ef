import type { Sql } from '../sql.js';
import {
  type AgentPageRow,
  type AgentsPage,
  type AgentsQuery,
  agentsPage,
  DEFAULT_AGENTS_PAGE,
  MAX_AGENTS_PAGE,
} from '../town/agents.js';
import { slotStart } from '../town/tiers.js';

const HOUR = 3_600_000;

/**
 * metrics.agents as it was before its page was read a minute at a time: one statement that unions every
 * agent after the cursor with every agent × model × minute row of the hour (breakdown_1m's key starts with
 * t) and sums the hour's rows of the page's agents (the hour again). The reference the tests and the bench
 * compare listAgents with.
 */
export function listAgentsScan(sql: Sql, now: number, q: AgentsQuery = {}): AgentsPage {
  const n = Math.max(1, Math.min(MAX_AGENTS_PAGE, Math.floor(q.limit ?? DEFAULT_AGENTS_PAGE)));
  const after = q.cursor ?? '';
  const hourAgo = slotStart(now - HOUR, 60_000);
  const rows = sql.rows(
    `WITH page(id) AS (
       SELECT id FROM agents WHERE id > ?
       UNION SELECT agent_id FROM breakdown_1m WHERE t >= ? AND agent_id > ?
       ORDER BY 1 LIMIT ?
     ),
     tokens(agent_id, n, cost) AS (
       SELECT agent_id, SUM(tokens), SUM(cost_microdollars) FROM breakdown_1m WHERE t >= ? AND agent_id IN page GROUP BY agent_id
     )
     SELECT page.id, a.role, a.status, a.bead_id, a.last_seen_at, COALESCE(tokens.n, 0), COALESCE(tokens.cost, 0),
       (SELECT rule || ' ' || since FROM runaway_episodes WHERE subject = page.id AND rule IN ('spendRate', 'noProgress')
        ORDER BY since, rule LIMIT 1)
     FROM page LEFT JOIN agents a ON a.id = page.id LEFT JOIN tokens ON tokens.agent_id = page.id
     ORDER BY page.id`,
    after,
    hourAgo,
    after,
    n + 1,
    hourAgo,
  ) as AgentPageRow[];
  return agentsPage(sql, rows, n);
}
