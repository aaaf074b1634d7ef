import { join } from 'node:path';
import { openSqlite } from '@gasgauge/server/sqlite';
import { loggingTown, tempDir, usageRecord } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import type { Sql } from '../../sql.js';
import { Town } from '../town.js';
import { DEFAULT_RUNAWAY_RULES, MAX_BEAD_ALERTS_PER_TICK, MAX_BEADS_CHECKED_PER_TICK } from './runaway.js';

const T0 = Date.UTC(2026, 10, 3, 10, 0, 0);
const MINUTE = 60_000;
const BEADS = 1_200;

/** A town on a real SQLite file whose per-bead cost reads (usageOf for a list of beads) are counted. */
function countingTown(now: { t: number }) {
  const sql = openSqlite(join(tempDir('gg-budget-'), 'town.sqlite'));
  const reads = { n: 0 };
  const counting: Sql = {
    run: (s, ...p) => sql.run(s, ...p),
    all: (s, ...p) => sql.all(s, ...p),
    rows: (s, ...p) => {
      if (s.includes('AND bead IN (SELECT value FROM json_each(?))')) reads.n++;
      return sql.rows(s, ...p);
    },
    transaction: (fn) => sql.transaction(fn),
    sizeBytes: () => sql.sizeBytes(),
  };
  return { town: new Town(counting, () => now.t), reads };
}

function rules(cap: number | null) {
  return {
    ...DEFAULT_RUNAWAY_RULES,
    spendRate: { ...DEFAULT_RUNAWAY_RULES.spendRate, enabled: false },
    beadBudgetMicrodollars: cap,
  };
}

/** BEADS beads, each named by one usage record costing 10 microdollars. */
function manyBeads() {
  const now = { t: T0 };
  const { town, reads } = countingTown(now);
  const records = Array.from({ length: BEADS }, (_, i) =>
    usageRecord({ id: `u${i}`, agentId: `a${i % 7}`, at: T0, costMicrodollars: 10, beadId: `gt-${i}` }),
  );
  for (let i = 0; i < records.length; i += 500) town.ingestUsage(records.slice(i, i + 500));
  const tick = () => {
    now.t += MINUTE;
    reads.n = 0;
    const runaway = () => town.outbox().filter((e) => e.kind === 'runaway').length;
    const before = runaway();
    town.tick();
    return { checked: reads.n, alerts: runaway() - before };
  };
  return { town, tick, now };
}

describe('the bead budget rule', () => {
  it('checks a bounded number of beads and raises a bounded number of alerts per tick, and flags every bead eventually', () => {
    const { town, tick } = manyBeads();
    town.setRunawayRules(rules(1));
    const ticks = [];
    for (let i = 0; i < Math.ceil(BEADS / MAX_BEAD_ALERTS_PER_TICK) + 1; i++) ticks.push(tick());
    for (const t of ticks) {
      expect(t.checked).toBeLessThanOrEqual(MAX_BEADS_CHECKED_PER_TICK);
      expect(t.alerts).toBeLessThanOrEqual(MAX_BEAD_ALERTS_PER_TICK);
    }
    expect(ticks[0]?.alerts).toBe(MAX_BEAD_ALERTS_PER_TICK);
    expect(town.runawayEpisodes().filter((e) => e.rule === 'beadBudget')).toHaveLength(
      Math.min(BEADS, 500), // runawayEpisodes() shows at most 500
    );
    expect(town.outbox().filter((e) => e.kind === 'runaway')).toHaveLength(BEADS);
    // Nothing changed since: the next tick checks no bead at all and every episode stays open.
    expect(tick()).toEqual({ checked: 0, alerts: 0 });
  });

  it('re-checks only the beads new usage touched, and a late agent event moves cost between beads', () => {
    const { town, tick, now } = manyBeads();
    town.setRunawayRules(rules(1_000));
    while (tick().checked > 0) {}
    // gt-5 gets 1,000 µ$ more through an agent's unnamed record; only it is checked.
    town.ingestEvents([{ id: 'e1', at: T0, type: 'agent', agentId: 'p', status: 'working', beadId: 'gt-5' }]);
    town.ingestUsage([usageRecord({ id: 'x', agentId: 'p', at: now.t, costMicrodollars: 1_000 })]);
    expect(tick()).toEqual({ checked: 1, alerts: 1 });
    // A late event moves p onto gt-6 before the record: both beads are checked, gt-6 over, gt-5's episode ends.
    town.ingestEvents([{ id: 'e2', at: T0 + 1, type: 'agent', agentId: 'p', status: 'working', beadId: 'gt-6' }]);
    expect(tick()).toEqual({ checked: 2, alerts: 1 });
    expect(town.runawayEpisodes().map((e) => e.subject)).toEqual(['gt-6']);
  });
});

describe('a bead many agents worked on', () => {
  it('costs the budget check and the agents list its total, not a row per agent', () => {
    const now = { t: T0 };
    const { town, log } = loggingTown(now);
    const AGENTS = 2_000;
    const ids = Array.from({ length: AGENTS }, (_, i) => i);
    town.ingestEvents(
      ids.map((i) => ({ id: `e${i}`, at: T0, type: 'agent', agentId: `a${i}`, status: 'working', beadId: 'gt-1' })),
    );
    for (let i = 0; i < AGENTS; i += 500)
      town.ingestUsage(
        ids.slice(i, i + 500).map((j) => usageRecord({ id: `u${j}`, agentId: `a${j}`, at: T0 + 1, costMicrodollars: 10 })),
      );
    town.setRunawayRules(rules(1_000_000));
    town.tick();
    // One more record on the bead: the next tick checks its budget again.
    now.t += MINUTE;
    town.ingestUsage([usageRecord({ id: 'x', agentId: 'a0', at: now.t, costMicrodollars: 10 })]);
    log.length = 0;
    town.tick();
    const tickRows = log.reduce((s, l) => s + l.rows, 0);
    log.length = 0;
    const page = town.agents({ limit: 100 });
    const pageRows = log.reduce((s, l) => s + l.rows, 0);
    expect(page.agents[0]).toMatchObject({ currentBeadId: 'gt-1', currentBeadCostMicrodollars: AGENTS * 10 + 10 });
    // Before, each read the bead's usage per agent: 2,000 rows.
    expect(tickRows).toBeLessThan(100);
    expect(pageRows).toBeLessThan(AGENTS / 2);
  });
});
