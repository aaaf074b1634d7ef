import type { Sql } from '../sql.js';
import { compareText } from '../text-order.js';
import { beadCost } from './beads/attribution.js';
import { AGENT_STATUSES } from './events.js';
import { slotStart } from './tiers.js';

export interface AgentRow {
  id: string;
  role: string | null;
  /** As last reported by an agent event; `unknown` for an agent seen only through its usage. */
  status: string;
  beadId: string | null;
  lastSeenAt: number | null;
  tokensLastHour: number;
  costLastHourMicrodollars: number;
  /** The bead it works on now (the same as beadId). */
  currentBeadId: string | null;
  /** That bead's whole cost so far, from every agent; null without a bead. */
  currentBeadCostMicrodollars: number | null;
  /** A runaway rule's episode under way for this agent (the earliest, if both rules fire). */
  runaway: { rule: 'spendRate' | 'noProgress'; since: number } | null;
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
const MINUTE = 60_000;
/**
 * An agent seen only through its usage (no agent event ever: a Claude Code session the reporter read,
 * an OTLP exporter) counts as working while it had usage in the last 5 one-minute slots, the window of
 * the throughput's rates: a town fed by the reporter alone showed "0 of 0 working" while it burnt tokens.
 */
export const USAGE_WORKING_WINDOW_MS = 5 * MINUTE;

/**
 * Agent × model × minute rows of the usage window read at most to count the agents seen only through usage.
 * A town of 10,000 live agents has some 80,000; one ingest token posting a new agent × model pair per record
 * put 700,000 in the window, and every tick of the town, and every throughput read and scrape after a write,
 * counted them all on the one event loop (0.4–0.8 s; seconds at the rate one client can post). Past it the
 * count is of the agents in the rows read, a lower bound.
 */
export const MAX_USAGE_ONLY_ROWS = 200_000;
export const USAGE_ONLY_AGENTS = `SELECT COUNT(DISTINCT agent_id) FROM
  (SELECT agent_id FROM breakdown_1m WHERE t >= ? AND (tokens > 0 OR cost_microdollars > 0) LIMIT ${MAX_USAGE_ONLY_ROWS})
  WHERE agent_id NOT IN (SELECT id FROM agents)`;

/** The minutes of breakdown_1m from the one given on (a seek each): some 61 in an hour. */
const HOUR_MINUTES = `WITH RECURSIVE m(t) AS (
    SELECT (SELECT MIN(t) FROM breakdown_1m WHERE t >= ?)
    UNION ALL SELECT (SELECT MIN(t) FROM breakdown_1m WHERE t > m.t) FROM m WHERE m.t IS NOT NULL
  ) SELECT t FROM m WHERE t IS NOT NULL`;

/** A minute's first agents after a cursor (and before a bound), in the key's order. */
const MINUTE_AGENTS = 'SELECT DISTINCT agent_id FROM breakdown_1m WHERE t = ? AND agent_id > ? ORDER BY agent_id LIMIT ?';
const MINUTE_AGENTS_BELOW =
  'SELECT DISTINCT agent_id FROM breakdown_1m WHERE t = ? AND agent_id > ? AND agent_id < ? ORDER BY agent_id LIMIT ?';

/** The first `max` of two lists of ids each in SQLite's order, merged, each id once. */
function mergeIds(a: readonly string[], b: readonly string[], max: number): string[] {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (out.length < max && (i < a.length || j < b.length)) {
    const x = a[i];
    const y = b[j];
    const c = x === undefined ? 1 : y === undefined ? -1 : compareText(x, y);
    if (c <= 0) i++;
    if (c >= 0) j++;
    out.push((c <= 0 ? x : y) as string);
  }
  return out;
}

/**
 * The last status counts per town connection, with what they were computed from: SQLite's `total_changes()`
 * (every row this connection wrote since it opened, so any write moves it) and the usage window's first
 * slot. Counting reads the status counts the triggers keep (migration 21; a scan of every agent ever reported
 * before) and each agent's per-minute rows of the window (80,000 rows, ~12 ms) at 10,000 live agents, and every live subscriber of a town asks on the same push:
 * they share one count per change (200 subscribers: 131 ms of status counts a push before, one count now).
 */
const countsMemo = new WeakMap<Sql, { changes: number; since: number; counts: ReadonlyMap<string, number> }>();

/**
 * Agents per status, every status present (0 when none): as their last event says, and those seen only
 * through usage in the last USAGE_WORKING_WINDOW_MS as working. The one count behind the throughput's
 * gauge, the sampled agent gauges and the Prometheus `gasgauge_agents`, so they agree.
 */
export function agentStatusCounts(sql: Sql, now: number): Map<string, number> {
  const since = slotStart(now, MINUTE) - USAGE_WORKING_WINDOW_MS + MINUTE;
  const changes = sql.rows('SELECT total_changes()')[0]?.[0] as number;
  const memo = countsMemo.get(sql);
  if (memo && memo.changes === changes && memo.since === since) return new Map(memo.counts);
  const counts = new Map<string, number>(AGENT_STATUSES.map((s) => [s, 0]));
  for (const [status, n] of sql.rows("SELECT status, n FROM status_counts WHERE kind = 'agent'") as [string, number][]) {
    counts.set(status, n);
  }
  const [usageOnly] = sql.rows(USAGE_ONLY_AGENTS, since)[0] as [number];
  counts.set('working', (counts.get('working') ?? 0) + usageOnly);
  countsMemo.set(sql, { changes, since, counts });
  return new Map(counts);
}

/**
 * The town's agents by id, a page at a time, with their tokens (all five kinds) and cost over the last
 * hour, to the minute, their current bead's cost and any runaway episode: agents with events, and agents
 * seen only through their usage in that hour.
 *
 * breakdown_1m's key is (t, agent_id, model): a minute's rows are in agent order. So the page reads, for
 * each minute of the hour that has rows (found by a seek each), its first limit + 1 agents after the
 * cursor, and the first limit + 1 agents with events; the page is the first limit + 1 of those, and its
 * hour sums a seek per minute and agent. It costs the minutes × the page, not the hour's rows: one
 * statement that unioned every agent × model × minute row of the hour (and every agent after the cursor)
 * and then summed the page's agents over the hour again took 0.78 s over ~500,000 rows
 * (`bench/agents-hour.ts`; the reference it is checked against: testing/agents-scan.ts).
 */
export function listAgents(sql: Sql, now: number, q: AgentsQuery = {}): AgentsPage {
  const n = Math.max(1, Math.min(MAX_AGENTS_PAGE, Math.floor(q.limit ?? DEFAULT_AGENTS_PAGE)));
  const after = q.cursor ?? '';
  const hourAgo = slotStart(now - HOUR, 60_000);
  const minutes = (sql.rows(HOUR_MINUTES, hourAgo) as [number][]).map(([t]) => t);
  // The first limit + 1 ids after the cursor, in SQLite's order: agents with events, then each minute's
  // below the last of them once there are as many.
  let page = (sql.rows('SELECT id FROM agents WHERE id > ? ORDER BY id LIMIT ?', after, n + 1) as [string][]).map(([id]) => id);
  for (const t of minutes) {
    const last = page.length > n ? page[n] : undefined;
    const more = (
      last === undefined ? sql.rows(MINUTE_AGENTS, t, after, n + 1) : sql.rows(MINUTE_AGENTS_BELOW, t, after, last, n + 1)
    ) as [string][];
    page = mergeIds(
      page,
      more.map(([id]) => id),
      n + 1,
    );
  }
  const rows = sql.rows(
    `WITH page(id) AS MATERIALIZED (SELECT value FROM json_each(?)),
     tokens(agent_id, n, cost) AS (
       SELECT b.agent_id, SUM(b.tokens), SUM(b.cost_microdollars)
       FROM page CROSS JOIN json_each(?) m CROSS JOIN breakdown_1m b ON b.t = m.value AND b.agent_id = page.id
       GROUP BY b.agent_id
     )
     SELECT page.id, a.role, a.status, a.bead_id, a.last_seen_at, COALESCE(tokens.n, 0), COALESCE(tokens.cost, 0),
       (SELECT rule || ' ' || since FROM runaway_episodes WHERE subject = page.id AND rule IN ('spendRate', 'noProgress')
        ORDER BY since, rule LIMIT 1)
     FROM page LEFT JOIN agents a ON a.id = page.id LEFT JOIN tokens ON tokens.agent_id = page.id
     ORDER BY page.id`,
    JSON.stringify(page),
    JSON.stringify(minutes),
  ) as AgentPageRow[];
  return agentsPage(sql, rows, n);
}

/** One row of a page's statement: id, role, status, bead, last seen, tokens and cost over the hour, runaway episode. */
export type AgentPageRow = [string, string | null, string | null, string | null, number | null, number, number, string | null];

/** A page of at most `n` agents from up to n + 1 rows (one more: there is a next page), each current bead's cost looked up once. */
export function agentsPage(sql: Sql, rows: readonly AgentPageRow[], n: number): AgentsPage {
  const costs = new Map<string, number>();
  const costOf = (bead: string): number => {
    const cost = costs.get(bead) ?? beadCost(sql, bead);
    costs.set(bead, cost);
    return cost;
  };
  const agents = rows.slice(0, n).map(([id, role, status, beadId, lastSeenAt, tokensLastHour, cost, runaway]) => ({
    id,
    role,
    status: status ?? 'unknown',
    beadId,
    lastSeenAt,
    tokensLastHour,
    costLastHourMicrodollars: cost,
    currentBeadId: beadId,
    currentBeadCostMicrodollars: beadId === null ? null : costOf(beadId),
    runaway: runaway === null ? null : episode(runaway),
  }));
  return { agents, nextCursor: rows.length > n ? (agents.at(-1)?.id ?? null) : null };
}

function episode(text: string): AgentRow['runaway'] {
  const [rule, since] = text.split(' ');
  return { rule: rule === 'noProgress' ? 'noProgress' : 'spendRate', since: Number(since) };
}
