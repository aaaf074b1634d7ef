import { DurableObject } from 'cloudflare:workers';
import { type IngestJob, type IngestResult, type OutboxEntry, type TickIntervals, Town, tickSpread } from '@gasgauge/core';
import { CONTROL_NAME } from './control-do.js';
import { doSql } from './do-sql.js';
import { tickIntervals } from './intervals.js';
import { type Remote, raise, toRemote } from './remote-error.js';

/** The key in this object's KV storage that holds the town id it was created for (idFromName(townId)). */
const TOWN_ID_KEY = 'townId';

/**
 * One town as a Durable Object: the core `Town` over this object's SQLite storage, ticked by the alarm.
 * The constructor opens the town (migrations, the recent usage ids rebuilt from the table), so a fresh
 * instance after eviction carries on from what storage holds; nothing acknowledged lives only in memory.
 */
export class TownDO extends DurableObject<Env> {
  readonly town: Town;
  private readonly intervals: TickIntervals;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.town = new Town(doSql(ctx.storage), () => Date.now());
    this.intervals = tickIntervals(env.TICK_MS);
  }

  /**
   * Several requests' ingest in one transaction (the API's group commit gathers them): one result per
   * job, or the 4xx that refused it. Output gates hold the reply until the commit is durable.
   */
  async ingest(townId: string, jobs: IngestJob[]): Promise<Remote<IngestResult>[]> {
    this.remember(townId);
    const results = this.town.ingest(jobs).map((r) => toRemote(() => (r instanceof Error ? raise(r) : r)));
    if (results.some((r) => 'ok' in r)) await this.tickWithin(this.intervals.activeMs);
    return results;
  }

  /** The alarm is the town's tick: tick, then settle the outbox into the control plane, then the next alarm. */
  override async alarm(): Promise<void> {
    const townId = this.ctx.storage.kv.get<string>(TOWN_ID_KEY);
    if (townId === undefined) return;
    try {
      this.town.tick();
    } finally {
      await this.settle(townId);
    }
    await this.ctx.storage.setAlarm(this.town.nextTickAt(this.intervals, tickSpread(townId)));
  }

  /** Moves the outbox into the owner's account; a crash before the ack re-posts next time, which adds nothing. */
  private async settle(townId: string): Promise<void> {
    const entries: OutboxEntry[] = this.town.outbox();
    const last = entries.at(-1);
    if (!last) return;
    const control = this.env.CONTROL.get(this.env.CONTROL.idFromName(CONTROL_NAME));
    await control.settle(townId, entries);
    this.town.ackOutbox(last.seq);
  }

  /** The next tick comes within `ms`, however idle the town was. */
  private async tickWithin(ms: number): Promise<void> {
    const due = await this.ctx.storage.getAlarm();
    const next = (Math.floor(Date.now() / ms) + 1) * ms;
    if (due === null || due > next) await this.ctx.storage.setAlarm(next);
  }

  private remember(townId: string): void {
    if (this.ctx.storage.kv.get(TOWN_ID_KEY) === undefined) this.ctx.storage.kv.put(TOWN_ID_KEY, townId);
  }

  // --- reads (test and host use) ---
  throughput(): ReturnType<Town['throughput']> {
    return this.town.throughput();
  }
  state(): ReturnType<Town['state']> {
    return this.town.state();
  }
  outbox(): OutboxEntry[] {
    return this.town.outbox();
  }
}
