import type {
  AgentsPage,
  AgentsQuery,
  Breakdown,
  BreakdownQuery,
  Budget,
  BudgetInput,
  EventsPage,
  EventsQuery,
  FeedEvent,
  IngestJob,
  IngestResults,
  OutboxEntry,
  Throughput,
  TickIntervals,
  Timeseries,
  TimeseriesQuery,
  TownTotals,
} from '@gasgauge/core';

/**
 * What the API and the tick do to one town, each call a Promise: the Node host answers at once from
 * the town's `Town` (`LocalTowns`); a Worker host calls the town's Durable Object over RPC. A handle
 * holds no open town, so it may be kept across awaits. A refusal rejects with the core's `AppError`
 * (a host that crosses a process boundary must rebuild it, so the API still answers with its 4xx).
 */
export interface TownHandle {
  /**
   * One request's ingest, answered after the transaction that holds it commits. The host gathers
   * concurrent requests into one transaction (group commit, `GroupCommit`): on Node in the process, on
   * Workers inside the town's Durable Object.
   */
  ingest<K extends IngestJob['kind']>(job: Extract<IngestJob, { kind: K }>): Promise<IngestResults[K]>;
  /** The tick: gauges sampled, recent ids indexed, old rows pruned, the billing snapshot taken into the outbox. */
  tick(): Promise<void>;
  timeseries(q: TimeseriesQuery): Promise<Timeseries>;
  throughput(): Promise<Throughput>;
  breakdown(q: BreakdownQuery): Promise<Breakdown>;
  /** Counters since the town began, per agent and model (the top `limit`, the rest summed), and gauges now. */
  totals(limit?: number): Promise<TownTotals>;
  agents(q?: AgentsQuery): Promise<AgentsPage>;
  events(q?: EventsQuery): Promise<EventsPage>;
  event(id: string): Promise<FeedEvent | undefined>;
  /** The assignee of each bead the town has (null: unassigned); a bead it does not have is absent. */
  beadAssignees(beadIds: readonly string[]): Promise<Map<string, string | null>>;
  /** Sets or (null) clears the town's spending cap. */
  setBudget(input: BudgetInput | null): Promise<Budget | null>;
  /** Debits and budget crossings the tick closed that the owning account has not yet recorded. */
  outbox(): Promise<OutboxEntry[]>;
  /** The account recorded every outbox entry up to `seq`: the town deletes them. */
  ackOutbox(seq: number): Promise<void>;
  /** When to tick next; `spread` (`tickSpread` of the town's id) staggers dormant towns' ticks. */
  nextTickAt(intervals?: TickIntervals, spread?: number): Promise<number>;
}

/** Where the API finds a town. Hosts implement it (a file per town on Node, a Durable Object on Workers). */
export interface TownDirectory {
  /** The town's handle; the caller has already checked that the town exists in the control store. */
  get(townId: string): TownHandle;
}
