import { fileTown } from '@gasgauge/server/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arrivals } from '../testing/arrivals.js';
import { AGENT_STATUSES, type AgentStatus, type TownEvent } from './events.js';

const T0 = Date.UTC(2026, 10, 2, 0, 0, 0);
type AgentEvent = Extract<TownEvent, { type: 'agent' }>;

/**
 * The agent's row by definition, events ordered by (at, id): status from its newest event, role from the
 * newest that gives one, bead from the newest that names one or goes idle or dead.
 */
function model(events: readonly AgentEvent[]) {
  const sorted = [...new Map(events.map((e) => [e.id, e])).values()].sort((x, y) =>
    x.at !== y.at ? x.at - y.at : x.id < y.id ? -1 : x.id > y.id ? 1 : 0,
  );
  const newest = sorted.at(-1) as AgentEvent;
  const holding = sorted.findLast((e) => e.beadId !== undefined || e.status === 'idle' || e.status === 'dead');
  return {
    status: newest.status,
    status_at: newest.at,
    role: sorted.findLast((e) => e.role !== undefined)?.role ?? null,
    bead_id: holding?.beadId ?? null,
    last_seen_at: newest.at,
  };
}

const agentEvent = (id: string, at: number, status: AgentStatus, more: Partial<AgentEvent> = {}): AgentEvent => ({
  id,
  at,
  type: 'agent',
  agentId: 'a1',
  status,
  ...more,
});

const read = (town: ReturnType<typeof fileTown>) =>
  town.sql.all('SELECT status, status_at, role, bead_id, last_seen_at FROM agents')[0];

describe("an agent's row follows its events", () => {
  it('events at one millisecond are ordered by event id, whatever order they arrive in', () => {
    const events = [
      agentEvent('b', T0, 'idle'),
      agentEvent('a', T0, 'working', { role: 'polecat', beadId: 'gt-1' }),
      agentEvent('c', T0 - 1, 'stalled', { role: 'witness' }),
    ];
    for (const order of [events, [...events].reverse()]) {
      const town = fileTown({ t: T0 + 60_000 });
      for (const e of order) town.ingestEvents([e]);
      expect(read(town)).toEqual({ status: 'idle', status_at: T0, role: 'polecat', bead_id: null, last_seen_at: T0 });
    }
  });

  it('a role given only by an event arriving late is the role, unless a newer event gave one', () => {
    const town = fileTown({ t: T0 + 60_000 });
    town.ingestEvents([agentEvent('e2', T0, 'working')]);
    town.ingestEvents([agentEvent('e1', T0 - 1000, 'working', { role: 'polecat' })]);
    expect(read(town)).toMatchObject({ status: 'working', role: 'polecat' });
    town.ingestEvents([agentEvent('e3', T0 + 1000, 'idle', { role: 'witness' })]);
    town.ingestEvents([agentEvent('e0', T0 - 2000, 'working', { role: 'refinery' })]);
    expect(read(town)).toMatchObject({ status: 'idle', role: 'witness' });
  });

  it('any order, batching and repetition of the same events gives the same status, role and bead, the model’s', () => {
    const arb = fc
      .array(
        fc.record({
          // Few distinct times, so that ties at one millisecond are common.
          at: fc.integer({ min: 0, max: 3 }).map((m) => T0 + m * 60_000),
          status: fc.constantFrom(...AGENT_STATUSES),
          role: fc.option(fc.constantFrom('polecat', 'witness'), { nil: undefined }),
          beadId: fc.option(fc.constantFrom('gt-1', 'gt-2'), { nil: undefined }),
        }),
        { minLength: 1, maxLength: 8 },
      )
      .map((es) =>
        es.map(({ at, status, role, beadId }, i) =>
          agentEvent(`e${i}`, at, status as AgentStatus, {
            ...(role === undefined ? {} : { role }),
            ...(beadId === undefined ? {} : { beadId }),
          }),
        ),
      )
      .chain((events) => fc.record({ events: fc.constant(events), batches: arrivals(events) }));
    fc.assert(
      fc.property(arb, ({ events, batches }) => {
        const town = fileTown({ t: T0 + 3_600_000 });
        for (const batch of batches) town.ingestEvents(batch);
        expect(read(town)).toEqual(model(events));
      }),
      { numRuns: 100 },
    );
  });
});
