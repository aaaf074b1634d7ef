import { fileTown, usageRecord } from '@gasgauge/server/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TownEvent } from '../events.js';
import type { UsageRecord } from '../usage.js';
import { applyBeadTotals, NO_BEAD, PENDING_RECS } from './totals.js';

const T0 = Date.UTC(2026, 10, 1, 11, 0, 0);
const AGENTS = ['a1', 'a2', 'a3'];
const BEADS = ['b1', 'b2', 'b3', 'b4'];

type AgentEvent = Extract<TownEvent, { type: 'agent' }>;

/** The brute-force model: every record's bead straight from the definition. */
function modelBead(
  r: { agentId: string; at: number; beadId?: string | undefined },
  events: readonly AgentEvent[],
): string | null {
  if (r.beadId !== undefined) return r.beadId;
  const relevant = events
    .filter(
      (e) => e.agentId === r.agentId && e.at <= r.at && (e.beadId !== undefined || e.status === 'idle' || e.status === 'dead'),
    )
    .sort((x, y) => x.at - y.at || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  return relevant.at(-1)?.beadId ?? null;
}

const agentEvent = fc.record({
  id: fc.stringMatching(/^e[0-9]{1,3}$/),
  // On a coarse grid (a step of the grid each, see `grid`), so events of one agent share a millisecond and
  // usage lands exactly on an event.
  at: fc.integer({ min: 0, max: 30 }),
  type: fc.constant('agent' as const),
  agentId: fc.constantFrom(...AGENTS),
  status: fc.constantFrom('working' as const, 'idle' as const, 'waiting' as const, 'dead' as const),
  beadId: fc.option(fc.constantFrom(...BEADS), { nil: undefined }),
});

/** A record with one or two cumulative updates (amounts growing), or a delta record. */
const record = fc.record({
  agentId: fc.constantFrom(...AGENTS),
  at: fc.tuple(fc.integer({ min: -2, max: 32 }), fc.constantFrom(0, 0, -1, 1, 7_000)),
  later: fc.option(fc.constantFrom(-20_000, -1, 1, 20_000), { nil: undefined }),
  cost: fc.integer({ min: 1, max: 1000 }),
  input: fc.integer({ min: 0, max: 1000 }),
  beadId: fc.option(fc.constantFrom(...BEADS, 'explicit'), { nil: undefined, freq: 4 }),
});

describe('attribution of usage to beads', () => {
  it('matches the brute-force model whatever order usage and agent events arrive in', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(agentEvent, { selector: (e) => e.id, maxLength: 25 }),
        fc.array(record, { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat()),
        fc.integer({ min: 1, max: 7 }),
        fc.array(fc.boolean()),
        // 20 s: all in an hour or two; 20 min: across ten hours, so whole hours come from bead_hours.
        fc.constantFrom(20_000, 1_200_000),
        // Between batches, sometimes a partial re-apply of at most this many records (0: none).
        fc.array(fc.integer({ min: 0, max: 3 })),
        fc.tuple(fc.integer({ min: -3, max: 36 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: -1, max: 1 })),
        (rawEvents, recs, shuffleKeys, batch, ticks, grid, budgets, [rangeK, rangeLength, rangeD]) => {
          const now = { t: T0 + 40 * grid };
          const town = fileTown(now);
          const events = rawEvents.map((e) => ({ ...e, at: T0 + e.at * grid }));
          type Item = { kind: 'event'; e: AgentEvent } | { kind: 'usage'; u: UsageRecord };
          const updates: Item[] = [];
          const records = recs.map((raw, i) => {
            const r = { ...raw, at: T0 + raw.at[0] * grid + raw.at[1] };
            const id = `r${i}`;
            const base = { id, agentId: r.agentId, beadId: r.beadId, mode: 'cumulative' as const };
            updates.push({
              kind: 'usage',
              u: usageRecord({ ...base, at: r.at, costMicrodollars: r.cost, inputTokens: r.input }),
            });
            const times = [r.at];
            if (r.later !== undefined) {
              const at2 = r.at + r.later;
              times.push(at2);
              updates.push({
                kind: 'usage',
                u: usageRecord({ ...base, at: at2, costMicrodollars: r.cost * 2, inputTokens: r.input }),
              });
            }
            return { ...r, at: Math.min(...times), cost: r.later === undefined ? r.cost : r.cost * 2 };
          });
          for (const e of events) updates.push({ kind: 'event', e });
          // A random arrival order, in random batches of mixed kinds, with ticks between some.
          const order = updates
            .map((item, i) => ({ item, key: shuffleKeys[i % Math.max(1, shuffleKeys.length)] ?? 0, i }))
            .sort((x, y) => x.key - y.key || x.i - y.i)
            .map((x) => x.item);
          for (let i = 0; i < order.length; i += batch) {
            const chunk = order.slice(i, i + batch);
            const usage = chunk.flatMap((c) => (c.kind === 'usage' ? [c.u] : []));
            const evs = chunk.flatMap((c) => (c.kind === 'event' ? [c.e] : []));
            if (usage.length) town.ingestUsage(usage);
            if (evs.length) town.ingestEvents(evs);
            // A tick moves the records so far into the agent-time index; later ones stay in the tail.
            if (ticks[i % Math.max(1, ticks.length)]) town.tick();
            // Or the bead totals move only part of the way (a tick past its budget).
            const budget = budgets[i % Math.max(1, budgets.length)] ?? 0;
            if (budget > 0) town.sql.transaction(() => applyBeadTotals(town.sql, budget));
          }

          // A bead row's agents: those whose records in the range are its, and those that took it before the range's end.
          const modelAgents = (bead: string, lo: number, hi: number) =>
            [
              ...new Set([
                ...records.filter((r) => r.at >= lo && r.at < hi && modelBead(r, events) === bead).map((r) => r.agentId),
                ...events.filter((e) => e.beadId === bead && e.at < hi).map((e) => e.agentId),
              ]),
            ].sort();
          const expected = new Map<string | null, number>();
          for (const r of records) {
            const bead = modelBead(r, events);
            expected.set(bead, (expected.get(bead) ?? 0) + r.cost);
          }
          const page = town.beads({ limit: 200 });
          const got = new Map<string | null, number>(page.items.map((b) => [b.beadId, b.costMicrodollars]));
          const stats = town.beadStats();
          got.set(null, stats.noBeadCostMicrodollars);
          for (const [bead, cost] of expected) expect([bead, got.get(bead) ?? 0]).toEqual([bead, cost]);
          for (const [bead, cost] of got) expect([bead, cost]).toEqual([bead, expected.get(bead) ?? 0]);
          // Each bead's own account (a different query path) agrees with the list.
          for (const item of page.items) {
            expect([item.beadId, item.agents]).toEqual([item.beadId, modelAgents(item.beadId, 0, Number.MAX_SAFE_INTEGER)]);
            const detail = town.bead(item.beadId);
            expect(detail?.bead.agents).toEqual(item.agents);
            expect(detail?.bead.costMicrodollars).toBe(item.costMicrodollars);
            // Its cost over time (read from its records through its agents' spans) adds up to it too.
            expect(detail?.cost.cost.reduce((s: number, c) => s + (c ?? 0), 0)).toBe(item.costMicrodollars);
          }
          // Sum over beads + no bead = the town's total.
          const total = records.reduce((s, r) => s + r.cost, 0);
          expect(stats.totalCostMicrodollars).toBe(total);
          const totals = town.totals(1000);
          expect(totals.usage.reduce((s, u) => s + u.costMicrodollars, 0) + (totals.other?.costMicrodollars ?? 0)).toBe(total);

          // A range not on whole hours: its whole hours from the totals, its ends from their records.
          const from = T0 + rangeK * grid + rangeD * 7_000;
          const to = from + rangeLength * grid + rangeD;
          const inRange = new Map<string | null, number>();
          for (const r of records.filter((r) => r.at >= from && r.at < to)) {
            const bead = modelBead(r, events);
            inRange.set(bead, (inRange.get(bead) ?? 0) + r.cost);
          }
          const rangedPage = town.beads({ from, to, limit: 200 }).items;
          for (const b of rangedPage) expect([b.beadId, b.agents]).toEqual([b.beadId, modelAgents(b.beadId, from, to)]);
          const ranged = new Map<string | null, number>(rangedPage.map((b) => [b.beadId, b.costMicrodollars]));
          ranged.set(null, town.beadStats({ from, to }).noBeadCostMicrodollars);
          for (const [bead, cost] of inRange) expect([bead, ranged.get(bead) ?? 0]).toEqual([bead, cost]);
          for (const [bead, cost] of ranged) expect([bead, cost]).toEqual([bead, inRange.get(bead) ?? 0]);

          // After a tick nothing is left to apply, and the stored totals alone are the model.
          town.tick();
          expect(town.sql.rows(`SELECT COUNT(*) FROM (${PENDING_RECS})`)).toEqual([[0]]);
          const stored = new Map<string | null, number>(
            (town.sql.rows('SELECT bead, SUM(cost_microdollars) FROM bead_hours GROUP BY bead') as [string, number][]).map(
              ([bead, cost]) => [bead === NO_BEAD ? null : bead, cost],
            ),
          );
          for (const [bead, cost] of expected) expect([bead, stored.get(bead) ?? 0]).toEqual([bead, cost]);
          for (const [bead, cost] of stored) expect([bead, cost]).toEqual([bead, expected.get(bead) ?? 0]);
          // The all-time table agrees with the hours, records and amounts alike.
          expect(town.sql.rows('SELECT * FROM bead_totals ORDER BY bead')).toEqual(
            town.sql.rows(
              `SELECT bead, SUM(records), SUM(input_tokens), SUM(output_tokens), SUM(reasoning_tokens), SUM(cache_read_tokens),
                 SUM(cache_write_tokens), SUM(cost_microdollars) FROM bead_hours GROUP BY bead ORDER BY bead`,
            ),
          );
        },
      ),
      { numRuns: 150 },
    );
  });
});
