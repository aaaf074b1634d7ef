import { AppError } from '../errors.js';
import { type MigrationResult, migrate } from '../migrate.js';
import type { Clock, Sql } from '../sql.js';
import { type AgentsPage, type AgentsQuery, listAgents } from './agents.js';
import { assertBeadReadsCaughtUp } from './beads/backlog.js';
import { type BeadDetail, getBead } from './beads/get.js';
import { type BeadsPage, type BeadsQuery, listBeads } from './beads/list.js';
import {
  MAX_RUNAWAY_EPISODES_SHOWN,
  type RunawayEpisode,
  type RunawayRules,
  runawayEpisodes,
  runawayRules,
  setRunawayRules,
} from './beads/runaway.js';
import { type BeadStats, beadStats } from './beads/stats.js';
import { type Breakdown, type BreakdownQuery, breakdown } from './breakdown.js';
import { type Budget, type BudgetInput, setBudget } from './budget.js';
import type { EventsResult, TownEvent } from './events.js';
import { type EventsPage, type EventsQuery, eventById, type FeedEvent, recentEvents } from './feed.js';
import { type IngestJob, type IngestResult, type IngestResults, ingestAll } from './ingest.js';
import { DEFAULT_LOC_TTL_MS, type LocReport } from './loc.js';
import { ackOutbox, type OutboxEntry, pendingOutbox } from './outbox.js';
import { nextTickAt, type TickIntervals } from './schedule.js';
import { TOWN_MIGRATIONS } from './schema.js';
import { readScheduleState, readState, type TownState } from './state.js';
import { storageRefusal } from './storage-quota.js';
import { type Throughput, throughput } from './throughput.js';
import { tick } from './tick.js';
import { clampTickBatch, MAX_TICK_BATCH, nextTickBatch } from './tick-batch.js';
import { loadTickHealth, saveTickHealth, type TickHealth } from './tick-health.js';
import { type Timeseries, type TimeseriesQuery, timeseries } from './timeseries.js';
import { type TownTotals, townTotals } from './totals.js';
import type { UsageRecord, UsageResult } from './usage.js';
import { tailEntryBytes, UsageIds } from './usage-ids.js';

export interface TownOptions {
  locTtlMs?: number;
  /** The town's storage quota in bytes (storage-quota.ts): past it every ingest is refused with a 507. None by default. */
  maxBytes?: number;
  /**
   * The records its first tick works through (see tick-batch.ts; clamped to MIN_TICK_BATCH..MAX_TICK_BATCH): a host
   * that closed the town passes what its ticks had come to, so a slow town reopened is not held a full batch again.
   */
  tickBatch?: number | undefined;
}

/**
 * One town: an actor over its own SQLite database (a file on Node, Durable Object storage on
 * Workers). Plain methods, so hosts and tests call them directly; the clock is passed in. Open one
 * Town per database at a time: it keeps the ids of the newest usage records in memory.
 */
export class Town {
  /** The schema version the database had when opened and the one it has now (a host logs an upgrade). */
  readonly schema: MigrationResult;
  private readonly locTtlMs: number;
  private readonly maxBytes: number | undefined;
  private readonly usageIds: UsageIds;
  private tickBatch: number;

  constructor(
    readonly sql: Sql,
    private readonly clock: Clock,
    options: TownOptions = {},
  ) {
    this.locTtlMs = options.locTtlMs ?? DEFAULT_LOC_TTL_MS;
    this.maxBytes = options.maxBytes;
    this.tickBatch = clampTickBatch(options.tickBatch ?? MAX_TICK_BATCH);
    this.schema = migrate(sql, TOWN_MIGRATIONS, clock());
    this.usageIds = new UsageIds(sql);
  }

  /** Several requests' ingest in one transaction (group commit); one result per job, or the 4xx that refused it. */
  ingest(jobs: readonly IngestJob[]): (IngestResult | AppError)[] {
    const full = storageRefusal(this.sql, this.maxBytes);
    if (full) return jobs.map(() => full);
    this.keepTailBounded(jobs);
    return ingestAll(this.sql, this.usageIds, jobs, this.clock(), this.locTtlMs);
  }

  /**
   * Before new usage records are written: when the ids held in memory would pass MAX_TAIL_BYTES, index as many of the
   * oldest as would be past it (so ingest never outruns the index), in a transaction of its own: what it writes is
   * the tick's work done early, right whatever the ingest then does.
   */
  private keepTailBounded(jobs: readonly IngestJob[]): void {
    let incoming = 0;
    for (const job of jobs) if (job.kind === 'usage') for (const r of job.records) incoming += tailEntryBytes(r.id);
    const excess = incoming === 0 ? 0 : this.usageIds.overBound(incoming);
    if (excess === 0) return;
    let indexed = () => {};
    this.sql.transaction(() => {
      indexed = this.usageIds.indexTail(excess);
    });
    indexed();
  }

  ingestUsage(records: readonly UsageRecord[]): UsageResult {
    return this.ingestOne({ kind: 'usage', records }) as IngestResults['usage'];
  }

  ingestLoc(reports: readonly LocReport[]): { accepted: number } {
    return this.ingestOne({ kind: 'loc', reports }) as IngestResults['loc'];
  }

  ingestEvents(events: readonly TownEvent[]): EventsResult {
    return this.ingestOne({ kind: 'events', events }) as IngestResults['events'];
  }

  private ingestOne(job: IngestJob): IngestResult {
    const result = this.ingest([job])[0] as IngestResult | AppError;
    if (result instanceof AppError) throw result;
    return result;
  }

  /**
   * One tick, of at most `tickBatch` records' indexing and bead totals, sized by how long the last took (tick-batch.ts;
   * timed by the town's clock, so a test's fixed clock keeps the cap). Kept while the town is open.
   */
  tick(): ReturnType<typeof tick> {
    const started = this.clock();
    const result = tick(this.sql, this.usageIds, this.clock(), this.tickBatch);
    this.tickBatch = nextTickBatch(this.tickBatch, this.clock() - started, result.applied);
    return result;
  }

  /** The records the next tick works through: a host keeps it across closing and reopening the town (TownOptions.tickBatch). */
  get tickBatchSize(): number {
    return this.tickBatch;
  }

  timeseries(q: TimeseriesQuery): Timeseries {
    return timeseries(this.sql, q, this.clock());
  }

  throughput(): Throughput {
    return throughput(this.sql, this.clock(), this.maxBytes);
  }

  breakdown(q: BreakdownQuery): Breakdown {
    return breakdown(this.sql, q, this.clock());
  }

  /** Counters since the town began, per agent and model (the top `limit`, the rest summed), and gauges now. */
  totals(limit?: number): TownTotals {
    return townTotals(this.sql, this.clock(), limit, this.maxBytes);
  }

  agents(q?: AgentsQuery): AgentsPage {
    return listAgents(this.sql, this.clock(), q);
  }

  events(q?: EventsQuery): EventsPage {
    return recentEvents(this.sql, q);
  }

  event(id: string): FeedEvent | undefined {
    return eventById(this.sql, id);
  }

  /** Beads with their cost and tokens over a range, a page at a time (town/beads). */
  beads(q?: BeadsQuery): BeadsPage {
    assertBeadReadsCaughtUp(this.sql);
    return listBeads(this.sql, this.clock(), q);
  }

  /** One bead's account, timeline and cost over time; undefined when the town has never heard of it. */
  bead(beadId: string): BeadDetail | undefined {
    assertBeadReadsCaughtUp(this.sql);
    return getBead(this.sql, this.clock(), beadId);
  }

  /** Closed-bead statistics over a range, and the spend on no bead. */
  beadStats(q?: { from?: number | undefined; to?: number | undefined }): BeadStats {
    assertBeadReadsCaughtUp(this.sql);
    return beadStats(this.sql, q);
  }

  runawayRules(): RunawayRules {
    return runawayRules(this.sql);
  }

  /** Replaces the town's runaway rules; the next tick evaluates them. */
  setRunawayRules(rules: RunawayRules): RunawayRules {
    return setRunawayRules(this.sql, rules);
  }

  /** Runaway episodes under way: flagged agents and beads over budget, the MAX_RUNAWAY_EPISODES_SHOWN longest-running. */
  runawayEpisodes(): RunawayEpisode[] {
    return runawayEpisodes(this.sql, MAX_RUNAWAY_EPISODES_SHOWN);
  }

  /** The agent a bead is assigned to: null when unassigned, undefined when the town has no such bead. */
  beadAssignee(beadId: string): string | null | undefined {
    const row = this.sql.rows('SELECT assignee_agent_id FROM beads WHERE id = ?', beadId)[0];
    return row === undefined ? undefined : (row[0] as string | null);
  }

  /** Sets or (null) clears the town's spending cap. */
  setBudget(input: BudgetInput | null): Budget | null {
    return setBudget(this.sql, input, this.clock());
  }

  /** Debits and budget crossings the tick closed that the owning account has not yet recorded. */
  outbox(): OutboxEntry[] {
    return pendingOutbox(this.sql);
  }

  /** The account recorded every outbox entry up to `seq`. */
  ackOutbox(seq: number): void {
    ackOutbox(this.sql, seq);
  }

  state(): TownState {
    return readState(this.sql);
  }

  /** How the host's ticks of this town have gone, as last saved (loadTickHealth). */
  tickHealth(): TickHealth {
    return loadTickHealth(this.sql);
  }

  saveTickHealth(health: TickHealth): void {
    saveTickHealth(this.sql, health);
  }

  /** When to tick next; `spread` (tickSpread of the town's id) staggers dormant towns' ticks. */
  nextTickAt(intervals?: TickIntervals, spread = 0): number {
    return nextTickAt(readScheduleState(this.sql), this.clock(), intervals, spread);
  }
}
