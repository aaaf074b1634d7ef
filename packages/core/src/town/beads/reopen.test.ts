import { fileTown } from '@gasgauge/server/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arrivals } from '../../testing/arrivals.js';
import { BEAD_STATUSES, type BeadStatus, type TownEvent } from '../events.js';
import { slotStart, TIERS } from '../tiers.js';
import type { Town } from '../town.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2026, 10, 2, 0, 0, 0);

type BeadEvent = Extract<TownEvent, { type: 'bead' }>;
const bead = (id: string, at: number, status: BeadStatus, more: Partial<BeadEvent> = {}): BeadEvent => ({
  id,
  at,
  type: 'bead',
  beadId: 'gt-1',
  status,
  ...more,
});

/** The beads_closed counter of every tier, as (t, count) pairs where not 0. */
function closesByTier(town: Town): Record<string, [number, number][]> {
  return Object.fromEntries(
    TIERS.map((tier) => [
      tier.table,
      town.sql.rows(`SELECT t, beads_closed FROM ${tier.table} WHERE beads_closed <> 0 ORDER BY t`) as [number, number][],
    ]),
  );
}

/** What closesByTier should be: one close per bead with a closed_at, in its slot of each tier. */
function closesAt(...times: number[]): Record<string, [number, number][]> {
  return Object.fromEntries(
    TIERS.map((tier) => {
      const counts = new Map<number, number>();
      for (const at of times)
        counts.set(slotStart(at, tier.resolutionMs), (counts.get(slotStart(at, tier.resolutionMs)) ?? 0) + 1);
      return [tier.table, [...counts].sort((a, b) => a[0] - b[0])];
    }),
  );
}

describe('a bead closed and then reopened', () => {
  it('is open again: no closedAt, its duration runs to now, not counted closed; closed again it counts from that close', () => {
    const now = { t: T0 + 5 * HOUR };
    const town = fileTown(now);
    town.ingestEvents([
      bead('e1', T0, 'in_progress', { title: 'Fix it' }),
      bead('e2', T0 + HOUR, 'closed'),
      bead('e3', T0 + 2 * HOUR, 'in_progress'),
    ]);
    town.tick();
    const [row] = town.beads().items;
    expect(row).toMatchObject({ beadId: 'gt-1', status: 'in_progress', closedAt: null, durationMs: 5 * HOUR, attempts: 2 });
    expect(town.bead('gt-1')?.bead).toMatchObject({ status: 'in_progress', closedAt: null, durationMs: 5 * HOUR });
    expect(town.beadStats().closedBeads).toBe(0);
    expect(town.beadStats({ from: T0, to: T0 + 2 * HOUR }).closedBeads).toBe(0);
    expect(closesByTier(town)).toEqual(closesAt());

    // Closed again, and a second close report later in the same stretch: closed from the first close after the reopen.
    town.ingestEvents([bead('e5', T0 + 4 * HOUR + 30 * MIN, 'closed'), bead('e4', T0 + 4 * HOUR, 'closed')]);
    expect(town.beads().items[0]).toMatchObject({ status: 'closed', closedAt: T0 + 4 * HOUR, durationMs: 4 * HOUR });
    expect(town.beadStats().closedBeads).toBe(1);
    expect(town.beadStats({ from: T0, to: T0 + 2 * HOUR }).closedBeads).toBe(0);
    expect(town.beadStats({ from: T0 + 4 * HOUR, to: now.t }).closedBeads).toBe(1);
    expect(closesByTier(town)).toEqual(closesAt(T0 + 4 * HOUR));
  });

  it('a late reopen (arriving after the close it follows) opens it; a late event before the close changes nothing', () => {
    const now = { t: T0 + 5 * HOUR };
    const town = fileTown(now);
    town.ingestEvents([bead('e1', T0, 'open'), bead('e3', T0 + 3 * HOUR, 'closed')]);
    expect(town.beads().items[0]).toMatchObject({ status: 'closed', closedAt: T0 + 3 * HOUR });
    town.ingestEvents([bead('e2', T0 + HOUR, 'in_review')]);
    expect(town.beads().items[0]).toMatchObject({ status: 'closed', closedAt: T0 + 3 * HOUR });
    town.ingestEvents([bead('e4', T0 + 4 * HOUR, 'open')]);
    expect(town.beads().items[0]).toMatchObject({ status: 'open', closedAt: null });
    expect(closesByTier(town)).toEqual(closesAt());
  });

  it('events at the same millisecond are ordered by event id, whatever order they arrive in', () => {
    for (const order of [
      ['a', 'b'],
      ['b', 'a'],
    ]) {
      const town = fileTown({ t: T0 + HOUR });
      const events = { a: bead('a', T0, 'closed'), b: bead('b', T0, 'in_progress') };
      for (const id of order) town.ingestEvents([events[id as 'a' | 'b']]);
      expect(town.beads().items[0]).toMatchObject({ status: 'in_progress', closedAt: null });
    }
  });
});

/** The bead's row by definition: the newest event by (at, id) gives its state; closed from the first close of the last closed stretch. */
function model(events: readonly BeadEvent[]) {
  const sorted = [...new Map(events.map((e) => [e.id, e])).values()].sort((x, y) =>
    x.at !== y.at ? x.at - y.at : x.id < y.id ? -1 : x.id > y.id ? 1 : 0,
  );
  const newest = sorted.at(-1) as BeadEvent;
  let closedAt: number | null = null;
  for (const e of sorted) closedAt = e.status === 'closed' ? (closedAt ?? e.at) : null;
  const last = <K extends keyof BeadEvent>(k: K) => sorted.findLast((e) => e[k] !== undefined)?.[k] ?? null;
  return {
    status: newest.status,
    status_at: newest.at,
    created_at: (sorted[0] as BeadEvent).at,
    closed_at: closedAt,
    kind: last('kind'),
    title: last('title'),
    assignee_agent_id: last('assigneeAgentId'),
    parent_id: last('parentId'),
  };
}

describe("a bead's row follows its events", () => {
  it('any order, batching and repetition of the same events gives the same row and close count, the one the model gives', () => {
    const event = fc.record({
      at: fc.integer({ min: 0, max: 8 }).map((m) => T0 + m * 20 * MIN),
      status: fc.constantFrom(...BEAD_STATUSES, 'closed', 'closed'),
      title: fc.option(fc.constantFrom('t1', 't2'), { nil: undefined }),
      kind: fc.option(fc.constantFrom('task', 'bug'), { nil: undefined }),
      assigneeAgentId: fc.option(fc.constantFrom('p1', 'p2'), { nil: undefined }),
      parentId: fc.option(fc.constantFrom('cv-1', 'cv-2'), { nil: undefined }),
    });
    const arb = fc
      .array(event, { minLength: 1, maxLength: 8 })
      .map((es) =>
        es.map(({ at, status, ...more }, i) =>
          bead(`e${i}`, at, status as BeadStatus, Object.fromEntries(Object.entries(more).filter(([, v]) => v !== undefined))),
        ),
      )
      .chain((events) => fc.record({ events: fc.constant(events), batches: arrivals(events) }));
    const read = (town: Town) => ({
      row: town.sql.all(
        'SELECT status, status_at, created_at, closed_at, kind, title, assignee_agent_id, parent_id FROM beads',
      )[0],
      closes: closesByTier(town),
    });
    fc.assert(
      fc.property(arb, ({ events, batches }) => {
        const town = fileTown({ t: T0 + 4 * HOUR });
        for (const batch of batches) town.ingestEvents(batch);
        const expected = model(events);
        expect(read(town)).toEqual({
          row: expected,
          closes: expected.closed_at === null ? closesAt() : closesAt(expected.closed_at),
        });
      }),
      { numRuns: 80 },
    );
  });
});
