import { fileTown, usageRecord } from '@gasgauge/server/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RECORD_BEAD } from './beads/columns.js';
import { PENDING_RECS } from './beads/totals.js';
import { MIGRATION_12_FILL_ROWIDS } from './schema.js';
import { MAX_RETENTION_MS } from './tiers.js';
import { TOKEN_TYPES, TOP_PAIRS } from './totals.js';
import { Town } from './town.js';
import type { UsageRecord } from './usage.js';

const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);
const PER_PAIR = `SELECT agent_id, model, SUM(input_tokens), SUM(output_tokens), SUM(reasoning_tokens), SUM(cache_read_tokens),
  SUM(cache_write_tokens), SUM(cost_microdollars) FROM usage_records GROUP BY agent_id, model ORDER BY agent_id, model`;

/** The totals as rows in PER_PAIR's shape. */
function totalsRows(town: Town): unknown[][] {
  return town
    .totals(10_000)
    .usage.map((u) => [u.agentId, u.model, ...u.tokens, u.costMicrodollars])
    .sort((a, b) => {
      const [x, y] = [String(a[0]), String(b[0])];
      return x === y ? (String(a[1]) < String(b[1]) ? -1 : 1) : x < y ? -1 : 1;
    });
}

describe('town totals (usage_totals)', () => {
  it('equal the stored usage records per agent and model after any mix of delta, cumulative, repeated and stale records', () => {
    // A record id belongs to one agent and model (a message's), as reporters send it.
    const owners: [id: string, agentId: string, model: string][] = [
      ['a', '__proto__', 'm1'],
      ['b', '__proto__', 'm2'],
      ['c', 'x', 'm1'],
      ['d', 'say "hi"', 'm1'],
      // Two pairs that a key joined with NUL made one.
      ['e', 'X\u0000y', 'z'],
      ['f', 'X', 'y\u0000z'],
    ];
    const record = fc.record({
      owner: fc.constantFrom(...owners),
      inputTokens: fc.integer({ min: 0, max: 1000 }),
      outputTokens: fc.integer({ min: 0, max: 1000 }),
      cacheReadTokens: fc.integer({ min: 0, max: 1000 }),
      costMicrodollars: fc.integer({ min: 0, max: 1000 }),
      mode: fc.constantFrom('delta', 'cumulative'),
      at: fc.integer({ min: T0 - 600_000, max: T0 }),
    });
    fc.assert(
      fc.property(fc.array(fc.array(record, { minLength: 1, maxLength: 5 }), { maxLength: 6 }), (batches) => {
        const town = fileTown({ t: T0 });
        for (const batch of batches) {
          town.ingestUsage(
            batch.map(({ owner: [id, agentId, model], ...r }) =>
              usageRecord({ ...(r as Omit<UsageRecord, 'id'>), id, agentId, model }),
            ),
          );
        }
        const pairs = town.sql.rows(PER_PAIR);
        expect(totalsRows(town)).toEqual(pairs);
        // The running grand total: what the top 2 leave out is every other pair, summed.
        const { usage, other } = town.totals(2);
        const rest = pairs.filter((p) => !usage.some((u) => u.agentId === p[0] && u.model === p[1]));
        const sum = (i: number) => rest.reduce((n, p) => n + (p[i] as number), 0);
        expect(other).toEqual(
          rest.length === 0
            ? null
            : { pairs: rest.length, tokens: TOKEN_TYPES.map((_, i) => sum(2 + i)), costMicrodollars: sum(7) },
        );
      }),
      { numRuns: 40, seed: 13 },
    );
  });

  it('are read for a scrape from the size index and the grand total, never by sorting or summing every pair', () => {
    const town = fileTown({ t: T0 });
    const plan = (q: string) => town.sql.rows(`EXPLAIN QUERY PLAN ${q}`).map((r) => String(r.at(-1)));
    expect(plan(TOP_PAIRS.replace('LIMIT ?', 'LIMIT 100'))).toEqual([expect.stringContaining('usage_totals_by_size')]);
  });

  it('are filled from the records already stored when the table is added (migration 6)', () => {
    const town = fileTown({ t: T0 });
    town.ingestUsage([
      usageRecord({ id: 'r1', at: T0, agentId: 'p', inputTokens: 5, costMicrodollars: 9 }),
      usageRecord({ id: 'r2', at: T0, agentId: 'p', inputTokens: 6, reasoningTokens: 2 }),
      usageRecord({ id: 'r3', at: T0, agentId: 'q', model: 'n', cacheWriteTokens: 4 }),
    ]);
    const expected = town.sql.rows(PER_PAIR);
    // Back to version 5: the migration runs again when the town opens.
    town.sql.run('DROP TABLE usage_totals');
    // Migrations 7 to 13, which run again too.
    town.sql.run('DROP TABLE usage_grand_total');
    undoVersion12(town);
    for (const table of ['usage_sources', 'activity_records', 'activity_totals', 'bead_budget_pending'])
      town.sql.run(`DROP TABLE ${table}`);
    town.sql.run('ALTER TABLE town_state DROP COLUMN bead_budget_upto');
    town.sql.run('ALTER TABLE town_state DROP COLUMN tick_health');
    undoVersion9(town);
    town.sql.run('DELETE FROM schema_migrations WHERE version >= 6');
    const reopened = new Town(town.sql, () => T0);
    expect(totalsRows(reopened)).toEqual(expected);
    expect(expected).toHaveLength(2);
  });

  it('sum the pairs beyond the limit into other, exactly', () => {
    const town = fileTown({ t: T0 });
    town.ingestUsage(
      [1, 2, 3].map((k) => usageRecord({ id: `r${k}`, at: T0, agentId: `a${k}`, outputTokens: k * 10, costMicrodollars: k })),
    );
    const t = town.totals(2);
    expect(t.usage.map((u) => u.agentId)).toEqual(['a3', 'a2']);
    expect(t.other).toEqual({ pairs: 1, tokens: TOKEN_TYPES.map((type) => (type === 'output' ? 10 : 0)), costMicrodollars: 1 });
    expect(town.totals(3).other).toBeNull();
  });
});

describe('per-bead totals (migration 12)', () => {
  it('fills the per-bead totals from the records the tick has indexed, as the tick would have', () => {
    const town = fileTown({ t: T0 + 3 * 3_600_000 });
    const TABLES = ['bead_applied', 'bead_hours', 'bead_totals'];
    town.ingestEvents([
      { id: 'e1', at: T0, type: 'agent', agentId: 'p', status: 'working', beadId: 'b1' },
      { id: 'e2', at: T0 + 3_600_000, type: 'agent', agentId: 'p', status: 'working', beadId: 'b2' },
    ]);
    town.ingestUsage(
      Array.from({ length: 30 }, (_, i) =>
        usageRecord({ id: `u${i}`, agentId: i % 3 ? 'p' : 'q', at: T0 + i * 360_000, costMicrodollars: i + 1, inputTokens: i }),
      ),
    );
    town.tick();
    const rows = () => TABLES.map((t) => town.sql.rows(`SELECT * FROM ${t} ORDER BY 1, 2, 3`));
    const expected = rows();
    expect(expected[2]).toHaveLength(3); // b1, b2 and no bead
    undoVersion12(town);
    town.sql.run('DROP TABLE usage_grand_total');
    town.sql.run('DROP INDEX usage_totals_by_size');
    town.sql.run('DELETE FROM schema_migrations WHERE version >= 12');
    new Town(town.sql, () => T0);
    expect(rows()).toEqual(expected);
  });
});

describe('per-bead totals (migration 12) on a large town', () => {
  it(`fills at most ${MIGRATION_12_FILL_ROWIDS} rowids on open; reads stay exact while the ticks apply the rest`, () => {
    const now = { t: T0 + 3 * 3_600_000 };
    let town = fileTown(now);
    town.ingestEvents([
      { id: 'e1', at: T0, type: 'agent', agentId: 'p', status: 'working', beadId: 'b1' },
      { id: 'e2', at: T0 + 3_600_000, type: 'agent', agentId: 'p', status: 'working', beadId: 'b2' },
    ]);
    const records = (prefix: string) =>
      Array.from({ length: 20 }, (_, i) =>
        usageRecord({ id: `${prefix}${i}`, agentId: i % 3 ? 'p' : 'q', at: T0 + i * 500_000, costMicrodollars: i + 1 }),
      );
    town.ingestUsage(records('a'));
    town.ingestUsage(records('b'));
    // The b records stand for a town's newer records past the bound: their rowids moved beyond it before
    // anything indexed them, and the town reopened so nothing in memory knows the old rowids.
    town.sql.run("UPDATE usage_records SET rowid = rowid + ? WHERE id LIKE 'b%'", MIGRATION_12_FILL_ROWIDS);
    town = new Town(town.sql, () => now.t);
    const pending = () => (town.sql.rows(`SELECT COUNT(*) FROM (${PENDING_RECS})`) as [[number]])[0][0];
    while (pending() > 0) town.tick();
    const TABLES = ['bead_applied', 'bead_hours', 'bead_totals'];
    const rows = () => TABLES.map((t) => town.sql.rows(`SELECT * FROM ${t} ORDER BY 1, 2, 3`));
    const reads = () => [town.beads(), town.beadStats(), town.bead('b1'), town.bead('b2')];
    const expected = rows();
    const expectedReads = reads();
    undoVersion12(town);
    town.sql.run('DROP TABLE usage_grand_total');
    town.sql.run('DROP INDEX usage_totals_by_size');
    town.sql.run('DELETE FROM schema_migrations WHERE version >= 12');
    town = new Town(town.sql, () => now.t);
    expect(town.sql.rows('SELECT COUNT(*) FROM bead_applied')).toEqual([[20]]);
    expect(pending()).toBe(20);
    expect(reads()).toEqual(expectedReads);
    let ticks = 0;
    while (pending() > 0 && ticks++ < 100) {
      town.tick();
      expect(reads()).toEqual(expectedReads);
    }
    expect(rows()).toEqual(expected);
  });
});

describe('per-bead totals when the tick prunes', () => {
  it('equal the records still stored, attributed by the agent_beads rows still stored', () => {
    const now = { t: T0 };
    const town = fileTown(now);
    town.ingestEvents([
      { id: 'e1', at: T0, type: 'agent', agentId: 'p', status: 'working', beadId: 'b1' },
      { id: 'e2', at: T0 + 3_600_000, type: 'agent', agentId: 'p', status: 'working', beadId: 'b2' },
      { id: 'e3', at: T0 + 7_200_000, type: 'agent', agentId: 'p', status: 'working', beadId: 'b3' },
    ]);
    town.ingestUsage(
      Array.from({ length: 12 }, (_, i) =>
        usageRecord({ id: `u${i}`, agentId: 'p', at: T0 + i * 900_000, costMicrodollars: i + 1 }),
      ),
    );
    town.tick();
    // Past the horizon for the first two hours' records and agent events (the newest row of p stays).
    now.t = T0 + MAX_RETENTION_MS + 2 * 3_600_000 + 1;
    // As if the ticks of the 400 days between had run: pruning's clock moves an hour a tick (tick.ts, pruneClock).
    town.sql.run('UPDATE prune_clock SET at = ?', now.t);
    town.ingestUsage([usageRecord({ id: 'late', agentId: 'p', at: now.t - 60_000, costMicrodollars: 100 })]);
    for (let i = 0; i < 3; i++) town.tick();
    const [[left]] = town.sql.rows('SELECT COUNT(*) FROM usage_records') as [[number]];
    expect(left).toBeLessThan(13);
    expect(town.sql.rows(`SELECT COUNT(*) FROM (${PENDING_RECS})`)).toEqual([[0]]);
    expect(town.sql.rows('SELECT bead, records, cost_microdollars FROM bead_totals ORDER BY bead')).toEqual(
      town.sql.rows(
        `SELECT COALESCE(${RECORD_BEAD}, '') AS bead, COUNT(*), SUM(cost_microdollars) FROM usage_records u GROUP BY 1 ORDER BY 1`,
      ),
    );
  });
});

/** Takes migration 12 (bead totals, runaway windows) back out, so it runs again on open. */
function undoVersion12(town: Town): void {
  const tables = [
    'bead_applied',
    'bead_hours',
    'bead_totals',
    'bead_dirty',
    'bead_moves',
    'agent_minutes',
    'runaway_window_spans',
    'runaway_window',
  ];
  for (const table of tables) town.sql.run(`DROP TABLE ${table}`);
  town.sql.run('ALTER TABLE town_state DROP COLUMN bead_applied_upto');
}

/** Takes migration 9 (cost per bead) back out, so it runs again on open. */
function undoVersion9(town: Town): void {
  for (const statement of [
    'DROP TABLE usage_times',
    'DROP INDEX usage_records_bead',
    'ALTER TABLE usage_records DROP COLUMN bead_id',
    'DROP TABLE agent_beads',
    'DROP INDEX events_bead',
    'DROP INDEX beads_parent',
    'ALTER TABLE beads DROP COLUMN parent_id',
    'ALTER TABLE beads DROP COLUMN loc_at_review',
    'ALTER TABLE loc DROP COLUMN changed_at',
    'DROP TABLE runaway_rules',
    'DROP TABLE runaway_episodes',
  ])
    town.sql.run(statement);
}
