import { listBeadsKeyed } from '@gasgauge/core/testing/beads-list-keyed';
import { fileTown, loggingTown, usageRecord } from '@gasgauge/server/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BEAD_STATUSES, type TownEvent } from '../events.js';
import { END_OF_TIME } from './attribution.js';
import { BEAD_SORTS, type BeadSort, type BeadsQuery } from './list.js';
import { applyBeadTotals } from './totals.js';

const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);

describe('beads.list paging', () => {
  it('pages open beads by duration while the clock moves: every bead once', () => {
    const now = { t: T0 };
    const town = fileTown(now);
    // Ten open beads created at three times: equal durations, whose values grow with the clock.
    town.ingestEvents(
      Array.from({ length: 10 }, (_, i) => ({
        id: `e${i}`,
        at: T0 - 1000 * (i % 3),
        type: 'bead' as const,
        beadId: `b${i}`,
        status: 'open' as const,
      })),
    );
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      now.t += 50; // time passes between pages
      const page = town.beads({ sort: 'duration', limit: 3, cursor });
      seen.push(...page.items.map((b) => b.beadId));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(seen.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `b${i}`).sort());
  });

  it('still reads a cursor without a pinned now', () => {
    const now = { t: T0 };
    const town = fileTown(now);
    town.ingestEvents([{ id: 'e', at: T0, type: 'bead', beadId: 'a', status: 'open' }]);
    expect(town.beads({ cursor: '1:a' }).items.map((b) => b.beadId)).toEqual(['a']);
  });
});

/** Every page of a listing, by cursor. */
function allPages(list: (cursor: string | undefined) => { items: unknown[]; nextCursor: string | null }) {
  const pages: { items: unknown[]; nextCursor: string | null }[] = [];
  let cursor: string | undefined;
  do {
    const page = list(cursor);
    pages.push(page);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && pages.length < 100);
  return pages;
}

const BEADS = ['b1', 'b2', 'b3', 'b4', 'b5', 'b6'];

describe('beads.list over all time, by cost or tokens (bead_totals in sort order)', () => {
  it('pages exactly as the keyed path does, whatever the tick has applied yet', () => {
    const agentEvent = fc.record({
      at: fc.integer({ min: 0, max: 20 }),
      agentId: fc.constantFrom('a1', 'a2'),
      beadId: fc.option(fc.constantFrom(...BEADS), { nil: undefined }),
    });
    const record = fc.record({
      at: fc.integer({ min: 0, max: 20 }),
      agentId: fc.constantFrom('a1', 'a2'),
      beadId: fc.option(fc.constantFrom(...BEADS), { nil: undefined, freq: 3 }),
      // Small amounts, zeros too: ties and beads at 0 beside beads known only by status events.
      cost: fc.integer({ min: 0, max: 3 }),
      input: fc.integer({ min: 0, max: 3 }),
    });
    const statusEvent = fc.record({ at: fc.integer({ min: 0, max: 20 }), beadId: fc.constantFrom(...BEADS) });
    fc.assert(
      fc.property(
        fc.array(agentEvent, { maxLength: 12 }),
        fc.array(record, { maxLength: 25 }),
        fc.array(statusEvent, { maxLength: 6 }),
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 6 }),
        fc.constantFrom<BeadSort>('cost', 'tokens'),
        fc.integer({ min: 1, max: 3 }),
        (agents, records, statuses, budgets, sort, limit) => {
          const now = { t: T0 + 3_600_000 };
          const town = fileTown(now);
          const events: TownEvent[] = [
            ...agents.map((e, i) => ({
              id: `a${i}`,
              at: T0 + e.at * 60_000,
              type: 'agent' as const,
              status: 'working' as const,
              agentId: e.agentId,
              beadId: e.beadId,
            })),
            ...statuses.map((e, i) => ({
              id: `s${i}`,
              at: T0 + e.at * 60_000,
              type: 'bead' as const,
              beadId: e.beadId,
              status: 'open' as const,
            })),
          ];
          const usage = records.map((r, i) =>
            usageRecord({
              id: `u${i}`,
              at: T0 + r.at * 60_000,
              agentId: r.agentId,
              beadId: r.beadId,
              costMicrodollars: r.cost,
              inputTokens: r.input,
            }),
          );
          // Usage, then a part of the totals applied, then the agent events (moving usage the totals hold).
          const check = () => {
            const fast = allPages((cursor) => town.beads({ sort, limit, cursor }));
            const keyed = allPages((cursor) => town.beads({ sort, limit, cursor, to: 10_000_000_000_000 }));
            expect(fast).toEqual(keyed);
          };
          if (usage.length > 0) town.ingestUsage(usage);
          town.tick();
          check();
          if (events.length > 0) town.ingestEvents(events);
          for (const budget of budgets) {
            check();
            town.sql.transaction(() => applyBeadTotals(town.sql, budget));
          }
          town.tick();
          check();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('lists a bead whose usage the pending records moved away at 0, while it has status events', () => {
    const now = { t: T0 + 3_600_000 };
    const town = fileTown(now);
    town.ingestEvents([
      { id: 's1', at: T0, type: 'bead', beadId: 'b1', status: 'open' },
      { id: 'a1', at: T0, type: 'agent', agentId: 'a', status: 'working', beadId: 'b1' },
    ]);
    town.ingestUsage([usageRecord({ id: 'u1', at: T0 + 60_000, agentId: 'a', costMicrodollars: 5 })]);
    town.tick();
    // The record is now b2's, but bead_totals still hold it as b1's until the tick re-applies it.
    town.ingestEvents([{ id: 'a2', at: T0 + 30_000, type: 'agent', agentId: 'a', status: 'working', beadId: 'b2' }]);
    const listed = (q: { to?: number }) => town.beads(q).items.map((b) => [b.beadId, b.costMicrodollars]);
    expect(listed({})).toEqual([
      ['b2', 5],
      ['b1', 0],
    ]);
    expect(listed({})).toEqual(listed({ to: 10_000_000_000_000 }));
  });
});

describe('beads.list keyed in SQL (ranges, status filters, duration and closedAt)', () => {
  const MINUTE = 60_000;
  it('pages exactly as every bead keyed in JS does, whatever the range, filter, sort and pending records', () => {
    const at = fc.integer({ min: 0, max: 240 }); // minutes from T0: four hours, so ranges cut hours
    // Agent events and usage on a coarser grid, so that an event often decides (and moves) a record.
    const slot = fc.integer({ min: 0, max: 8 }).map((m) => m * 30);
    const agentEvent = fc.record({
      at: slot,
      agentId: fc.constantFrom('a1', 'a2'),
      beadId: fc.option(fc.constantFrom(...BEADS), { nil: undefined }),
      // After the tick: it moves records the totals hold, pending until re-applied.
      late: fc.boolean(),
    });
    const record = fc.record({
      at: slot,
      agentId: fc.constantFrom('a1', 'a2'),
      beadId: fc.option(fc.constantFrom(...BEADS), { nil: undefined, freq: 3 }),
      cost: fc.integer({ min: 0, max: 3 }),
      input: fc.integer({ min: 0, max: 3 }),
    });
    // Beads known by status events alone, closed ones (closedAt, a fixed duration) and open ones (growing).
    const statusEvent = fc.record({
      at,
      beadId: fc.constantFrom(...BEADS, 'b7', 'b8'),
      status: fc.constantFrom(...BEAD_STATUSES),
    });
    const edge = fc.oneof(
      fc.integer({ min: -30, max: 270 }).map((m) => T0 + m * MINUTE),
      fc.integer({ min: T0 - 1_800_000, max: T0 + 16_200_000 }),
    );
    const range = fc.oneof(
      fc.constant({}),
      fc.tuple(edge, edge).map(([a, b]) => ({ from: Math.min(a, b), to: Math.max(a, b) + 1 })),
      edge.map((from) => ({ from })),
      edge.map((to) => ({ to })),
      fc.constant({ to: END_OF_TIME }),
    );
    const query = fc.record({
      range,
      status: fc.option(fc.constantFrom(...BEAD_STATUSES), { nil: undefined }),
      sort: fc.constantFrom<BeadSort>(...BEAD_SORTS),
      limit: fc.integer({ min: 1, max: 4 }),
    });
    fc.assert(
      fc.property(
        fc.array(agentEvent, { maxLength: 8 }),
        fc.array(record, { maxLength: 16 }),
        fc.array(statusEvent, { maxLength: 8 }),
        fc.integer({ min: 0, max: 3 }),
        fc.array(query, { minLength: 1, maxLength: 4 }),
        (agents, records, statuses, applied, queries) => {
          const now = { t: T0 + 5 * 3_600_000 };
          const town = fileTown(now);
          const agentEvents = (late: boolean): TownEvent[] =>
            agents
              .map((e, i) => ({
                id: `a${i}`,
                at: T0 + e.at * MINUTE,
                type: 'agent' as const,
                status: 'working' as const,
                agentId: e.agentId,
                beadId: e.beadId,
                late: e.late,
              }))
              .filter((e) => e.late === late)
              .map(({ late: _, ...e }) => e);
          const early = agentEvents(false);
          if (early.length > 0) town.ingestEvents(early);
          if (records.length > 0)
            town.ingestUsage(
              records.map((r, i) =>
                usageRecord({
                  id: `u${i}`,
                  at: T0 + r.at * MINUTE,
                  agentId: r.agentId,
                  beadId: r.beadId,
                  costMicrodollars: r.cost,
                  inputTokens: r.input,
                }),
              ),
            );
          town.tick();
          const events: TownEvent[] = [
            ...agentEvents(true),
            ...statuses.map((e, i) => ({
              id: `s${i}`,
              at: T0 + e.at * MINUTE,
              type: 'bead' as const,
              beadId: e.beadId,
              status: e.status,
            })),
          ];
          if (events.length > 0) town.ingestEvents(events);
          // Some of the moves the agent events queued re-applied, the rest pending.
          town.sql.transaction(() => applyBeadTotals(town.sql, applied));
          for (const { range, ...rest } of queries) {
            const q: BeadsQuery = { ...range, ...rest };
            // The clock moves between pages: later pages keep the first page's now, through the cursor.
            const pages = (list: (q: BeadsQuery) => unknown) => {
              now.t = T0 + 5 * 3_600_000;
              return allPages((cursor) => {
                now.t += 1_000;
                return list({ ...q, cursor }) as { items: unknown[]; nextCursor: string | null };
              });
            };
            expect(pages((p) => town.beads(p))).toEqual(pages((p) => listBeadsKeyed(town.sql, now.t, p)));
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('beads.list over a range', () => {
  it('leaves out a bead whose every record the pending records moved away, unless it has status events', () => {
    const now = { t: T0 + 3_600_000 };
    const town = fileTown(now);
    town.ingestEvents([{ id: 'a1', at: T0, type: 'agent', agentId: 'a', status: 'working', beadId: 'b1' }]);
    town.ingestUsage([usageRecord({ id: 'u1', at: T0 + 60_000, agentId: 'a', costMicrodollars: 5 })]);
    town.tick();
    // The record is now b2's, but bead_totals and bead_hours still hold it as b1's until the tick.
    town.ingestEvents([{ id: 'a2', at: T0 + 30_000, type: 'agent', agentId: 'a', status: 'working', beadId: 'b2' }]);
    const listed = (q: BeadsQuery) => town.beads(q).items.map((b) => [b.beadId, b.costMicrodollars]);
    for (const q of [{ sort: 'duration' as const }, { from: T0 - 3_600_000, to: T0 + 7_200_000 }, { from: T0 + 1 }]) {
      expect(listed(q)).toEqual([['b2', 5]]);
    }
  });
});

describe('beads.list over a range by cost or tokens', () => {
  it('keys the beads known only by status events (0) only when the page reaches 0', () => {
    const now = { t: T0 + 2 * 3_600_000 };
    const { town, log } = loggingTown(now);
    town.ingestEvents(
      Array.from({ length: 6 }, (_, i) => ({
        id: `s${i}`,
        at: T0 + i,
        type: 'bead' as const,
        beadId: `b${i}`,
        status: 'open' as const,
      })),
    );
    town.ingestUsage(
      [1, 2, 3].map((i) => usageRecord({ id: `u${i}`, at: T0 + i, beadId: `b${i}`, costMicrodollars: i, inputTokens: i })),
    );
    town.tick();
    // Every status event of the range, by time (the page's own beads' events are read by bead, events_bead).
    const readsEvents = () =>
      log
        .splice(0)
        .filter(({ statement }) => !statement.startsWith('EXPLAIN'))
        .some(({ statement, params }) =>
          town.sql
            .rows(`EXPLAIN QUERY PLAN ${statement}`, ...(params as never[]))
            .some((row) => /\bevents_at\b/.test(String(row.at(-1)))),
        );
    const ids = (q: BeadsQuery) => town.beads(q).items.map((b) => b.beadId);
    const range = { from: T0 - 7, to: T0 + 3_600_000 + 7 };
    log.length = 0;
    // Beads with usage fill the page and the next bead's place: the beads at 0 cannot enter it.
    expect(ids({ ...range, limit: 1 })).toEqual(['b3']);
    expect(readsEvents()).toBe(false);
    expect(ids({ ...range, sort: 'tokens', limit: 2 })).toEqual(['b3', 'b2']);
    expect(readsEvents()).toBe(false);
    // The page reaches 0: the beads with status events alone follow, by id.
    expect(ids({ ...range, limit: 5 })).toEqual(['b3', 'b2', 'b1', 'b0', 'b4']);
    expect(readsEvents()).toBe(true);
  });
});
