import type { IngestJob, IngestResults, Town } from '@gasgauge/core';
import { GroupCommit } from '../ingest/group-commit.js';
import type { TownDirectory, TownHandle } from './town.js';

/**
 * Town handles over `Town`s in this process: the Node host (over its LRU of town files) and a town's
 * Durable Object (over its one `Town`) both use it. `open` is called inside every call and its
 * result never kept across an await, so a host may close an idle `Town` between calls.
 */
export class LocalTowns implements TownDirectory {
  private readonly writer: GroupCommit;

  constructor(
    private readonly open: (townId: string) => Town,
    /** When to write the ingest requests gathered so far (default `queueMicrotask`; Node: `afterTwoTurns`). */
    defer: (fn: () => void) => void = queueMicrotask,
  ) {
    this.writer = new GroupCommit(open, defer);
  }

  get(townId: string): TownHandle {
    const town = () => this.open(townId);
    return {
      ingest: <K extends IngestJob['kind']>(job: Extract<IngestJob, { kind: K }>): Promise<IngestResults[K]> =>
        this.writer.submit(townId, job),
      tick: async () => {
        town().tick();
      },
      timeseries: async (q) => town().timeseries(q),
      throughput: async () => town().throughput(),
      breakdown: async (q) => town().breakdown(q),
      totals: async (limit) => town().totals(limit),
      agents: async (q) => town().agents(q),
      events: async (q) => town().events(q),
      event: async (id) => town().event(id),
      beadAssignees: async (beadIds) => {
        const t = town();
        const found = new Map<string, string | null>();
        for (const id of beadIds) {
          const assignee = t.beadAssignee(id);
          if (assignee !== undefined) found.set(id, assignee);
        }
        return found;
      },
      setBudget: async (input) => town().setBudget(input),
      outbox: async () => town().outbox(),
      ackOutbox: async (seq) => town().ackOutbox(seq),
      nextTickAt: async (intervals, spread) => town().nextTickAt(intervals, spread),
    };
  }
}
