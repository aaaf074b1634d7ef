import { migrate } from '../migrate.js';
import type { Clock, Sql } from '../sql.js';
import { type AgentRow, type FeedEvent, listAgents, recentEvents } from './agents.js';
import { type BreakdownQuery, breakdown } from './breakdown.js';
import { type EventsResult, ingestEvents, type TownEvent } from './events.js';
import { DEFAULT_LOC_TTL_MS, ingestLoc, type LocReport } from './loc.js';
import { nextTickAt, type TickIntervals } from './schedule.js';
import { TOWN_MIGRATIONS } from './schema.js';
import { readState, type TownState } from './state.js';
import { type Throughput, throughput } from './throughput.js';
import { tick } from './tick.js';
import { type Timeseries, timeseries } from './timeseries.js';
import { ingestUsage, type UsageRecord, type UsageResult } from './usage.js';

export interface TownOptions {
  locTtlMs?: number;
}

/**
 * One town: an actor over its own SQLite database (a file on Node, Durable Object storage on
 * Workers). Plain methods, so hosts and tests call them directly; the clock is passed in.
 */
export class Town {
  private readonly locTtlMs: number;

  constructor(
    readonly sql: Sql,
    private readonly clock: Clock,
    options: TownOptions = {},
  ) {
    this.locTtlMs = options.locTtlMs ?? DEFAULT_LOC_TTL_MS;
    migrate(sql, TOWN_MIGRATIONS, clock());
  }

  ingestUsage(records: readonly UsageRecord[]): UsageResult {
    return ingestUsage(this.sql, records, this.clock());
  }

  ingestLoc(reports: readonly LocReport[]): { accepted: number } {
    return ingestLoc(this.sql, reports, this.clock(), this.locTtlMs);
  }

  ingestEvents(events: readonly TownEvent[]): EventsResult {
    return ingestEvents(this.sql, events, this.clock());
  }

  tick(): ReturnType<typeof tick> {
    return tick(this.sql, this.clock());
  }

  timeseries(q: { from: number; to: number; maxPoints?: number | undefined }): Timeseries {
    return timeseries(this.sql, q, this.clock());
  }

  throughput(): Throughput {
    return throughput(this.sql, this.clock());
  }

  breakdown(q: BreakdownQuery): Timeseries {
    return breakdown(this.sql, q, this.clock());
  }

  agents(): AgentRow[] {
    return listAgents(this.sql, this.clock());
  }

  events(limit = 50): FeedEvent[] {
    return recentEvents(this.sql, limit);
  }

  state(): TownState {
    return readState(this.sql);
  }

  nextTickAt(intervals?: TickIntervals): number {
    return nextTickAt(this.state(), this.clock(), intervals);
  }
}
