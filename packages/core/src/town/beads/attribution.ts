import type { Sql, SqlValue } from '../../sql.js';
import { compareText } from '../../text-order.js';
import { AMOUNT_COLUMNS, COST_INDEX, MAX_BEAD_AGENTS, RECORD_BEAD } from './columns.js';
import { contributions, HOUR, PENDING_RECS } from './totals.js';

export { AMOUNT_COLUMNS, COST_INDEX, RECORD_BEAD } from './columns.js';

const COLS = AMOUNT_COLUMNS.join(', ');

export type Amounts = number[];
export const zeroAmounts = (): Amounts => AMOUNT_COLUMNS.map(() => 0);

export function addAmounts(into: Amounts, more: readonly number[]): void {
  for (let i = 0; i < into.length; i++) into[i] = (into[i] as number) + (more[i] as number);
}

/** Usage of one bead (or of no bead) in a range, and the agents it came from. */
export interface BeadUsage {
  amounts: Amounts;
  /** The first MAX_BEAD_AGENTS of them by id (SQLite's order of TEXT). */
  agents: Set<string>;
}

/** Latest epoch ms a range may reach; `to` of an open range. */
export const END_OF_TIME = Number.MAX_SAFE_INTEGER;

/**
 * The usage records dated in [from, to) (by first_at), as a subquery: those the tick has indexed, through
 * `usage_times`' index by time (migration 22), the newest (above the indexed mark, at most a tick's worth)
 * read directly. No index on usage_records itself: ingest stays an append. Before, the indexed ones were
 * read agent by agent for every agent that ever had usage (usage_totals, never pruned): a part-hour at a
 * range's end cost a seek per agent ever seen (200,000 agent ids made up by one ingest token: ~300 ms a
 * beads page or stats read, growing for good).
 */
export function recordsOf(from: number, to: number): { sql: string; params: SqlValue[] } {
  return {
    sql: `(SELECT r.* FROM usage_times t INDEXED BY usage_times_first_at JOIN usage_records r ON r.rowid = t.rec
             WHERE t.first_at >= ? AND t.first_at < ?
           UNION ALL
           SELECT * FROM usage_records WHERE rowid > (SELECT usage_indexed_upto FROM town_state WHERE id = 1)
             AND first_at >= ? AND first_at < ?)`,
    params: [from, to, from, to],
  };
}

const bucketOf = (n: number, size: number) => Math.floor(n / size);

/** The whole hours inside [from, to) as [first, end) hour numbers (empty when first >= end): bead_hours' part of it. */
function wholeHours(from: number, to: number): [number, number] {
  return [Math.ceil(from / HOUR), to >= END_OF_TIME ? bucketOf(END_OF_TIME, HOUR) + 1 : bucketOf(to, HOUR)];
}

/**
 * Usage dated in [from, to) per bead (the key null is "no bead"), of every bead or only of `beads`, with
 * the agents it came from when `withAgents`: over all time from `bead_totals` (or `bead_hours` for the
 * agents); otherwise the whole hours inside the range from `bead_hours` and its part-hour ends from their
 * records. Either is corrected by the records the tick has not re-applied yet (totals.ts). Costs the beads
 * and hours asked (plus at most two hours of records), not the history.
 */
export function usageOf(
  sql: Sql,
  from: number,
  to: number,
  beads?: readonly string[],
  withAgents = true,
): Map<string | null, BeadUsage> {
  const parts = usageParts(from, to, beads, false);
  const byBead = new Map<string | null, BeadUsage>();
  if (parts === undefined) return byBead;
  const rows = sql.rows(
    `SELECT bead, ${AMOUNT_COLUMNS.map((c) => `SUM(${c})`).join(', ')} FROM (${parts.sql}) GROUP BY bead HAVING SUM(n) > 0`,
    ...parts.params,
  );
  for (const [bead, ...amounts] of rows) {
    const usage = { amounts: zeroAmounts(), agents: new Set<string>() };
    addAmounts(usage.amounts, amounts as number[]);
    byBead.set(bead === '' ? null : (bead as string), usage);
  }
  if (withAgents && byBead.size > 0) {
    const ids = [...byBead.keys()].map((bead) => bead ?? '');
    for (const [bead, agents] of firstAgents(sql, from, to, ids)) {
      const usage = byBead.get(bead === '' ? null : bead);
      if (usage) usage.agents = agents;
    }
  }
  return byBead;
}

/**
 * The first MAX_BEAD_AGENTS agents by id (SQLite's order) whose usage dated in [from, to) is each bead's:
 * the whole hours walked agent by agent through bead_hours_agent (bead, agent; migration 23), at most as
 * many agents as are kept plus those the records not re-applied yet and the part-hours at the range's ends
 * add or take away (bounded: a tick's worth and two hours), those merged in. Before, every agent of the bead
 * was grouped and ranked: a bead 20,000 agents worked on cost ~0.2 s a read, a beads page that listed it too.
 */
function firstAgents(sql: Sql, from: number, to: number, beads: readonly string[]): Map<string, Set<string>> {
  const byBead = new Map<string, Map<string, number>>();
  const counts = (bead: string) => {
    let agents = byBead.get(bead);
    if (!agents) {
      agents = new Map();
      byBead.set(bead, agents);
    }
    return agents;
  };
  const rest = usageParts(from, to, beads, true, false);
  if (rest !== undefined)
    for (const [bead, agent, n] of sql.rows(
      `SELECT bead, agent, SUM(n) FROM (${rest.sql}) GROUP BY bead, agent`,
      ...rest.params,
    ) as [string, string, number][])
      counts(bead).set(agent, n);
  const [hourFrom, hourTo] = wholeHours(from, to);
  const result = new Map<string, Set<string>>();
  for (const bead of new Set(beads)) {
    const agents = counts(bead);
    if (hourFrom < hourTo) {
      // Every bead_hours row counts at least one record (totals.ts deletes those at 0), so the first agents
      // here are the first with usage, unless the rest takes one away: read as many more as it names.
      const rows = sql.rows(
        `SELECT agent_id, SUM(records) FROM bead_hours INDEXED BY bead_hours_agent
         WHERE bead = ? AND hour >= ? AND hour < ? GROUP BY agent_id ORDER BY agent_id LIMIT ?`,
        bead,
        hourFrom,
        hourTo,
        MAX_BEAD_AGENTS + agents.size,
      ) as [string, number][];
      for (const [agent, n] of rows) agents.set(agent, (agents.get(agent) ?? 0) + n);
    }
    const kept = [...agents].filter(([, n]) => n > 0).map(([agent]) => agent);
    result.set(bead, new Set(kept.sort(compareText).slice(0, MAX_BEAD_AGENTS)));
  }
  return result;
}

/**
 * usageOf's rows before summing, as SQL with its parameters (undefined: none), columns bead ('' for no
 * bead), agent ('' without `withAgents`), n (records, signed), then the amounts: a bead's usage is its
 * rows' sums when SUM(n) > 0. listBeads sums them in the same statement that sorts and pages the beads.
 */
export function usageParts(
  from: number,
  to: number,
  beads?: readonly string[] | { sql: string; params: SqlValue[] },
  withAgents = true,
  withHours = true,
): { sql: string; params: SqlValue[] } | undefined {
  // A list of ids, or SQL selecting them (beadStats: the beads closed in a range, never read into JS).
  const select = beads === undefined || !('sql' in beads) ? undefined : beads;
  const only = beads === undefined ? '' : ` AND bead IN (${select ? select.sql : 'SELECT value FROM json_each(?)'})`;
  const beadParams: SqlValue[] = beads === undefined ? [] : select ? select.params : [JSON.stringify(beads)];
  const agent = withAgents ? 'agent_id' : "''";
  const open = to >= END_OF_TIME;
  const [hourFrom, hourTo] = wholeHours(from, to);
  const parts: string[] = [];
  const params: SqlValue[] = [];
  const edges: [number, number][] = [];
  if (hourFrom < hourTo) {
    if (!withHours) {
      // firstAgents reads the whole hours agent by agent itself.
    } else if (from === 0 && open && !withAgents) {
      parts.push(`SELECT bead, '' AS agent, records AS n, ${COLS} FROM bead_totals WHERE true${only}`);
      params.push(...beadParams);
    } else {
      parts.push(`SELECT bead, ${agent} AS agent, records AS n, ${COLS} FROM bead_hours WHERE hour >= ? AND hour < ?${only}`);
      params.push(hourFrom, hourTo, ...beadParams);
    }
    parts.push(
      `SELECT bead, ${agent} AS agent, n, ${COLS} FROM (${contributions(PENDING_RECS)}) WHERE at >= ? AND at < ?${only}`,
    );
    params.push(hourFrom * HOUR, open ? END_OF_TIME : hourTo * HOUR, ...beadParams);
    edges.push([from, hourFrom * HOUR]);
    if (!open) edges.push([hourTo * HOUR, to]);
  } else {
    edges.push([from, to]);
  }
  for (const [lo, hi] of edges) {
    if (lo >= hi) continue;
    const records = recordsOf(lo, hi);
    parts.push(
      `SELECT bead, ${agent} AS agent, 1 AS n, ${COLS} FROM (SELECT COALESCE(${RECORD_BEAD}, '') AS bead, u.* FROM ${records.sql} u) WHERE true${only}`,
    );
    params.push(...records.params, ...beadParams);
  }
  return parts.length === 0 ? undefined : { sql: parts.join(' UNION ALL '), params };
}

/** Usage dated in [from, to), per bead (the key null is "no bead"), without the agents. */
export const usageByBead = (sql: Sql, from: number, to: number) => usageOf(sql, from, to, undefined, false);

/**
 * One bead's cost over all time, without its agents: over all time `bead_totals`' row (and the records not
 * re-applied yet), not a row per agent. The bead budget and the agents list need the cost only: through
 * beadUsage, a bead that 20,000 agents had worked on read 20,000 rows for each check, inside the tick.
 */
export function beadCost(sql: Sql, beadId: string): number {
  return (usageOf(sql, 0, END_OF_TIME, [beadId], false).get(beadId)?.amounts[COST_INDEX] as number | undefined) ?? 0;
}

/** One bead's usage dated in [from, to) and its agents. */
export function beadUsage(sql: Sql, beadId: string, from = 0, to = END_OF_TIME): BeadUsage {
  return usageOf(sql, from, to, [beadId]).get(beadId) ?? { amounts: zeroAmounts(), agents: new Set() };
}

/**
 * One bead's cost dated in [from, to), bucketed by `step` from `from`: rows of [bucket index, cost]. Whole
 * hours from `bead_hours` when step and from are whole hours; finer (a bead of under ~200 hours) from its
 * records in one read: those that name it, and each holder's unnamed records within the spans it held
 * the bead (agent_beads rows to the agent's next), checked against RECORD_BEAD. The spans are the bead's own
 * rows (agent_beads_bead), each with a seek for its end: before, a window over every row of every agent that
 * ever held it (a holder's whole history of beads, read for each of a bead's three calls here).
 */
export function beadCostRows(sql: Sql, beadId: string, from: number, to: number, step: number): [number, number][] {
  if (step % HOUR === 0 && from % HOUR === 0) {
    const hours = usageHours(sql, beadId, from, to);
    return hours.map(([hour, cost]) => [bucketOf(hour * HOUR - from, step), cost]);
  }
  const records = beadRecords(beadId, from, to, step);
  return sql.rows(`SELECT b, SUM(cost) FROM (${records.sql}) GROUP BY b`, ...records.params) as [number, number][];
}

/**
 * The earliest and latest event time of the bead's records in [from, to) (undefined: none), from the same
 * records as beadCostRows: its cost series' ends. Before, a row per distinct ms of its first and last hours.
 */
export function beadTimes(sql: Sql, beadId: string, from: number, to: number): [number, number] | undefined {
  const records = beadRecords(beadId, from, to, 1);
  const [lo, hi] = sql.rows(`SELECT MIN(b), MAX(b) FROM (${records.sql})`, ...records.params)[0] as [
    number | null,
    number | null,
  ];
  return lo === null || hi === null ? undefined : [from + lo, from + hi];
}

/** beadCostRows' records of one bead in [from, to) as SQL: columns b (bucket by `step` from `from`) and cost. */
function beadRecords(beadId: string, from: number, to: number, step: number): { sql: string; params: SqlValue[] } {
  const bucket = `(u.first_at - ${Math.floor(from)}) / ${Math.floor(step)}`;
  const holders = 'SELECT DISTINCT agent_id FROM agent_beads WHERE bead_id = ?';
  return {
    sql: `SELECT ${bucket} AS b, u.cost_microdollars AS cost FROM (
         SELECT h.agent_id, h.at AS lo, (SELECT n.at FROM agent_beads n WHERE n.agent_id = h.agent_id
             AND (n.at, n.event_id) > (h.at, h.event_id) ORDER BY n.at, n.event_id LIMIT 1) AS hi
         FROM agent_beads h INDEXED BY agent_beads_bead WHERE h.bead_id = ? AND h.at < ?
       ) s JOIN usage_times t ON t.agent_id = s.agent_id AND t.first_at >= max(s.lo, ?) AND t.first_at < min(COALESCE(s.hi, ?), ?)
       JOIN usage_records u ON u.rowid = t.rec
       WHERE u.bead_id IS NULL AND ${RECORD_BEAD} = ?
       UNION ALL
       SELECT ${bucket}, u.cost_microdollars FROM usage_records u
       WHERE u.rowid > (SELECT usage_indexed_upto FROM town_state WHERE id = 1) AND u.agent_id IN (${holders})
         AND u.first_at >= ? AND u.first_at < ? AND u.bead_id IS NULL AND ${RECORD_BEAD} = ?
       UNION ALL
       SELECT ${bucket}, u.cost_microdollars FROM usage_records u WHERE u.bead_id = ? AND u.first_at >= ? AND u.first_at < ?`,
    params: [beadId, to, from, END_OF_TIME, to, beadId, beadId, from, to, beadId, beadId, from, to],
  };
}

/** One bead's cost per hour of first_at in [from, to) (whole hours), the un-applied remainder included. */
export function usageHours(sql: Sql, beadId: string, from = 0, to = END_OF_TIME): [hour: number, cost: number][] {
  return sql.rows(
    `SELECT hour, SUM(cost) FROM (
       SELECT hour, cost_microdollars AS cost, records AS n FROM bead_hours WHERE bead = ? AND hour >= ? AND hour < ?
       UNION ALL
       SELECT at / ${HOUR}, cost_microdollars, n FROM (${contributions(PENDING_RECS)}) WHERE bead = ? AND at >= ? AND at < ?
     ) GROUP BY hour HAVING SUM(n) > 0 ORDER BY hour`,
    beadId,
    bucketOf(from, HOUR),
    Math.ceil(to / HOUR),
    beadId,
    from,
    to,
  ) as [number, number][];
}
