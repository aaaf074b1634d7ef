import { fileTown } from '@gasgauge/server/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AGENT_STATUSES, type AgentStatus, type TownEvent } from './events.js';

const T0 = Date.UTC(2026, 10, 2, 0, 0, 0);
type AgentEvent = Extract<TownEvent, { type: 'agent' }>;

/** The agent's row by definition: status from its newest event, bead from the newest that names one or goes idle or dead (times distinct: a tie goes to the last arrival). */
function model(events: readonly AgentEvent[]) {
  const sorted = [...new Map(events.map((e) => [e.id, e])).values()].sort((x, y) =>
    x.at !== y.at ? x.at - y.at : x.id < y.id ? -1 : x.id > y.id ? 1 : 0,
  );
  const newest = sorted.at(-1) as AgentEvent;
  const holding = sorted.filter((e) => e.beadId !== undefined || e.status === 'idle' || e.status === 'dead').at(-1);
  return {
    status: newest.status,
    status_at: newest.at,
    bead_id: holding?.beadId ?? null,
  };
}

describe("an agent's row follows its events", () => {
  it('any order, batching and repetition of the same events (at distinct times) gives the same status and bead, the model’s', () => {
    const arb = fc
      .array(
        fc.record({
          status: fc.constantFrom(...AGENT_STATUSES),
          role: fc.option(fc.constantFrom('polecat', 'witness'), { nil: undefined }),
          beadId: fc.option(fc.constantFrom('gt-1', 'gt-2'), { nil: undefined }),
        }),
        { minLength: 1, maxLength: 8 },
      )
      .map((es) =>
        es.map(
          ({ status, role, beadId }, i): AgentEvent => ({
            id: `e${i}`,
            at: T0 + ((i * 5) % es.length) * 60_000 + i,
            type: 'agent',
            agentId: 'a1',
            status: status as AgentStatus,
            ...(role === undefined ? {} : { role }),
            ...(beadId === undefined ? {} : { beadId }),
          }),
        ),
      )
      .chain((events) =>
        fc.record({
          events: fc.constant(events),
          arrivals: fc
            .shuffledSubarray([...events, ...events], { minLength: events.length })
            .filter((a) => events.every((e) => a.includes(e))),
          cut: fc.integer({ min: 1, max: 16 }),
        }),
      );
    fc.assert(
      fc.property(arb, ({ events, arrivals, cut }) => {
        const town = fileTown({ t: T0 + 3_600_000 });
        town.ingestEvents(arrivals.slice(0, cut));
        if (cut < arrivals.length) town.ingestEvents(arrivals.slice(cut));
        expect(town.sql.all('SELECT status, status_at, bead_id FROM agents')[0]).toEqual(model(events));
      }),
      { numRuns: 80 },
    );
  });
});
