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
    /** When to write the rest of a town's queue past one group (default `defer`). */
    deferRest: (fn: () => void) => void = defer,
  ) {
    this.writer = new GroupCommit(open, defer, deferRest);
  }

  get(townId: string): TownHandle {
    return new LocalTownHandle(townId, this.open, this.writer);
  }
}

/** One town's handle: methods on a prototype, so the handle a request takes costs one small object. */
class LocalTownHandle implements TownHandle {
  constructor(
    private readonly townId: string,
    private readonly open: (townId: string) => Town,
    private readonly writer: GroupCommit,
  ) {}

  private town(): Town {
    return this.open(this.townId);
  }

  ingest<K extends IngestJob['kind']>(job: Extract<IngestJob, { kind: K }>): Promise<IngestResults[K]> {
    return this.writer.submit(this.townId, job);
  }
  async tick(): Promise<void> {
    this.town().tick();
  }
  async timeseries(q: Parameters<TownHandle['timeseries']>[0]) {
    return this.town().timeseries(q);
  }
  async throughput() {
    return this.town().throughput();
  }
  async breakdown(q: Parameters<TownHandle['breakdown']>[0]) {
    return this.town().breakdown(q);
  }
  async totals(limit?: number) {
    return this.town().totals(limit);
  }
  async agents(q: Parameters<TownHandle['agents']>[0]) {
    return this.town().agents(q);
  }
  async events(q: Parameters<TownHandle['events']>[0]) {
    return this.town().events(q);
  }
  async event(id: string) {
    return this.town().event(id);
  }
  async beadAssignees(beadIds: readonly string[]): Promise<Map<string, string | null>> {
    const t = this.town();
    const found = new Map<string, string | null>();
    for (const id of beadIds) {
      const assignee = t.beadAssignee(id);
      if (assignee !== undefined) found.set(id, assignee);
    }
    return found;
  }
  async beads(q: Parameters<TownHandle['beads']>[0]) {
    return this.town().beads(q);
  }
  async bead(beadId: string) {
    return this.town().bead(beadId);
  }
  async beadStats(q: Parameters<TownHandle['beadStats']>[0]) {
    return this.town().beadStats(q);
  }
  async runawayRules() {
    const t = this.town();
    return { rules: t.runawayRules(), episodes: t.runawayEpisodes() };
  }
  async setRunawayRules(rules: Parameters<TownHandle['setRunawayRules']>[0]) {
    return this.town().setRunawayRules(rules);
  }
  async setBudget(input: Parameters<TownHandle['setBudget']>[0]) {
    return this.town().setBudget(input);
  }
  async outbox() {
    return this.town().outbox();
  }
  async ackOutbox(seq: number) {
    return this.town().ackOutbox(seq);
  }
  async nextTickAt(...args: Parameters<TownHandle['nextTickAt']>) {
    return this.town().nextTickAt(...args);
  }
}
