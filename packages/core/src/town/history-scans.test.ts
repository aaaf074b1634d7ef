import { loggingTown, usageRecord } from '@gasgauge/server/testing';
import { expect, it } from 'vitest';
import { DEFAULT_LOC_TTL_MS } from './loc.js';
import { TOP_PAIRS } from './totals.js';

const T = Date.UTC(2026, 10, 1, 12);
const MIN = 60_000;

/**
 * Tables that keep a row per agent, bead, model, session or record a writer ever named (kept for good, or
 * for the 400 days of retention): one ingest token adds 5,000 a request. What runs on every tick, every
 * throughput read or live push, every scrape and every schedule check, and a bead read over a range, must not
 * scan one of them: that work would grow with everything ever reported, not with what a read asks for
 * (attack12: loc, the status counts and a bead read's part-hours did).
 */
const HISTORY = [
  'agents',
  'beads',
  'loc',
  'events',
  'usage_records',
  'usage_ids',
  'usage_times',
  'usage_totals',
  'usage_sources',
  'usage_baselines',
  'activity_records',
  'agent_beads',
  'bead_totals',
  'bead_hours',
  'bead_applied',
];

it('no statement of a tick, a throughput read, a scrape, a schedule check or a bead read over a range scans a table that grows with history', () => {
  const now = { t: T };
  const { town, log } = loggingTown(now);
  // A little of everything, the agents and beads in several statuses, some lines expired.
  town.ingestEvents([
    ...['a1', 'a2', 'a3'].map((agentId, i) => ({
      id: `ag-${agentId}`,
      at: T - 10 * MIN,
      type: 'agent' as const,
      agentId,
      status: (['working', 'idle', 'dead'] as const)[i] ?? 'idle',
      beadId: `b${i}`,
    })),
    ...['b0', 'b1', 'b2'].map((beadId, i) => ({
      id: `bd-${beadId}`,
      at: T - 9 * MIN,
      type: 'bead' as const,
      beadId,
      status: (['open', 'in_progress', 'closed'] as const)[i] ?? 'open',
    })),
  ]);
  town.ingestUsage(
    ['a1', 'a2', 'solo'].map((agentId, i) =>
      usageRecord({ id: `u${i}`, agentId, inputTokens: 10, costMicrodollars: 5, at: T - MIN }),
    ),
  );
  town.ingestLoc([{ agentId: 'a1', additions: 3, deletions: 1 }]);
  now.t += DEFAULT_LOC_TTL_MS + MIN;
  town.ingestLoc([{ agentId: 'a2', additions: 2, deletions: 0 }]);
  town.tick();

  log.length = 0;
  town.tick();
  town.throughput();
  town.totals();
  town.nextTickAt();
  // A bead read over a range whose ends are part-hours reads those ends' records by time.
  const range = { from: T - 90 * MIN + 7, to: now.t };
  town.beads({ ...range, limit: 2 });
  town.beadStats(range);
  const ran = log.splice(0);
  const scans = new Set<string>();
  // The scrape's top pairs walk usage_totals' index in its order and stop at the limit (100 rows).
  for (const { statement, params } of ran.filter((s) => s.statement !== TOP_PAIRS)) {
    // A plan names a table by its alias (`FROM beads b`: SCAN b).
    const aliases = new Map<string, string>();
    for (const [, table, alias] of statement.matchAll(/\b(?:FROM|JOIN)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?/gi))
      if (table && alias) aliases.set(alias, table);
    const plan = town.sql.rows(`EXPLAIN QUERY PLAN ${statement}`, ...(params as never[]));
    for (const row of plan) {
      const detail = String(row.at(-1));
      // A SEARCH with no constraint reads the whole table too (SQLite so shows a WITHOUT ROWID table's scan),
      // unless it is a MIN or MAX read off one end of a secondary index.
      const named =
        detail.match(/^SCAN (\w+)/)?.[1] ??
        (/^SEARCH \w+ USING [\w ]+$/.test(detail) && !(/\b(MIN|MAX)\(/.test(statement) && / INDEX /.test(detail))
          ? detail.split(' ')[1]
          : undefined);
      const table = named === undefined ? undefined : (aliases.get(named) ?? named);
      if (table && HISTORY.includes(table)) scans.add(`${detail}  ←  ${statement.replace(/\s+/g, ' ').slice(0, 140)}`);
    }
  }
  expect([...scans]).toEqual([]);
});
