import { DurableObject } from 'cloudflare:workers';
import { LiveHub, LocalTowns, type TickDeps, type TownHandle, tickTown } from '@gasgauge/api';
import {
  type AgentsQuery,
  AppError,
  type BeadsQuery,
  type BreakdownQuery,
  type Budget,
  type BudgetInput,
  type EventsQuery,
  type IngestJob,
  type IngestResults,
  NO_TICKS,
  type RunawayRules,
  type TickHealth,
  type TickIntervals,
  type TimeseriesQuery,
  Town,
  tickFailed,
  tickSpread,
  tickSucceeded,
  upgradeLine,
} from '@gasgauge/core';
import { doControl } from './control.js';
import { doSql } from './do-sql.js';
import { liveStreamMaxMs, tickIntervals } from './intervals.js';
import { CHANGE, CHANGES_REFUSED, changesHeader, HEARTBEAT, type Remote, toRemote } from './remote-error.js';
import { maxTownBytes } from './storage-quota.js';
import { doLive } from './towns.js';

/** The key in this object's KV storage that holds the town id it was created for (idFromName(townId)). */
const TOWN_ID_KEY = 'townId';
/** The key that holds how the alarm's ticks have gone (a TickHealth: a few numbers and a short message). */
const TICK_HEALTH_KEY = 'tickHealth';

/** The town's handle methods as this object answers them over RPC: every refusal as data (see Remote). */
export type RemoteTown = {
  [K in Exclude<keyof TownHandle, 'ingest' | 'setBudget' | 'setRunawayRules'>]: (
    ...args: Parameters<TownHandle[K]>
  ) => Promise<Remote<Awaited<ReturnType<TownHandle[K]>>>>;
};

/**
 * One town as a Durable Object: the core `Town` over this object's SQLite storage, the same
 * `LocalTowns` handle (and so the same group commit) as the Node host, ticked by the alarm. The
 * constructor opens the town (migrations, the recent usage ids rebuilt from the table), so a fresh
 * instance after eviction carries on from what storage holds; nothing acknowledged lives in memory only.
 */
export class TownDO extends DurableObject<Env> implements RemoteTown {
  readonly town: Town;
  private readonly handle: TownHandle;
  private readonly intervals: TickIntervals;
  /** When the alarm is set for, as far as this instance knows (undefined: not read yet); saves a storage read per ingest. */
  private alarmAt: number | null | undefined;
  /** This object's own live subscribers (SSE streams of the Worker's `metrics.live`). */
  private readonly live: LiveHub;
  /** How often an idle change stream checks its reader is still there: 20 times over its lifetime (30 s). */
  private readonly heartbeatMs: number;
  /** The change streams open, by id, to end them when the isolate closes one (see changes). */
  private readonly streams = new Map<number, AbortController>();
  private nextStream = 1;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.town = new Town(doSql(ctx.storage), () => Date.now(), { maxBytes: maxTownBytes(env.MAX_TOWN_MB) });
    // Said once, by the object that migrated its storage: `wrangler tail` shows an upgrade reaching each town.
    const upgraded = upgradeLine(`town object ${ctx.id.name ?? ctx.id.toString()}`, this.town.schema);
    if (upgraded) console.log(upgraded);
    // A timer, not a microtask: requests that arrive while one is being taken join its transaction.
    this.handle = new LocalTowns(
      () => this.town,
      (fn) => setTimeout(fn, 0),
    ).get('');
    this.intervals = tickIntervals(env.TICK_MS);
    const maxStreamMs = liveStreamMaxMs(env.LIVE_STREAM_MAX_MS);
    this.live = new LiveHub({ maxStreamMs });
    this.heartbeatMs = maxStreamMs / 20;
  }

  /** One request's ingest, answered after its group's commit; output gates hold the reply until it is durable. */
  async ingest<K extends IngestJob['kind']>(
    townId: string,
    job: Extract<IngestJob, { kind: K }>,
  ): Promise<Remote<IngestResults[K]>> {
    this.remember(townId);
    const result = await toRemote(() => this.handle.ingest(job));
    if ('ok' in result) {
      await this.tickWithin(this.intervals.activeMs);
      this.live.publishSoon('');
    }
    return result;
  }

  /** A saved budget may be crossed already: the town ticks soon, however dormant. */
  async setBudget(townId: string, input: BudgetInput | null): Promise<Remote<Budget | null>> {
    this.remember(townId);
    const result = await toRemote(() => this.handle.setBudget(input));
    if ('ok' in result) await this.tickWithin(this.intervals.activeMs);
    return result;
  }

  /** Rules may already be broken (a lowered spend rate): the town ticks soon, however dormant. */
  async setRunawayRules(townId: string, rules: RunawayRules): Promise<Remote<RunawayRules>> {
    this.remember(townId);
    const result = await toRemote(() => this.handle.setRunawayRules(rules));
    if ('ok' in result) await this.tickWithin(this.intervals.activeMs);
    return result;
  }

  /**
   * The alarm is the town's tick: the hosts' one after-tick sequence (tick, settle the outbox into the
   * control plane, tell live viewers), then the next alarm from `nextTickAt`. Its outcome is kept in
   * storage (towns.list's `tick`); after a failure the next attempt comes at the Node host's backoff
   * (`tickFailed`), not the runtime's alarm retries, which give up after a few.
   */
  override async alarm(): Promise<void> {
    this.alarmAt = null;
    const townId = this.ctx.storage.kv.get<string>(TOWN_ID_KEY);
    if (townId === undefined) return;
    try {
      await tickTown(this.tickDeps(townId), townId);
    } catch (err) {
      console.error(`town ${townId}: tick failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      const failed = tickFailed(this.tickHealth(), err, Date.now(), this.intervals);
      this.ctx.storage.kv.put(TICK_HEALTH_KEY, failed);
      await this.setAlarm(failed.retryAt);
      return;
    }
    this.ctx.storage.kv.put(TICK_HEALTH_KEY, tickSucceeded(this.tickHealth(), Date.now()));
    const next = this.town.nextTickAt(this.intervals, tickSpread(townId));
    // An ingest or a saved budget that came in while the tick awaited the control plane set an alarm
    // (tickWithin) after the tick had read the town's state: keep the earlier one, or a dormant town
    // would not tick on it for an hour (the Node scheduler's wokenWhileTicking, for the same reason).
    const woken = this.alarmAt;
    await this.setAlarm(woken === null || woken === undefined ? next : Math.min(woken, next));
  }

  /** How this town's alarm ticks have gone since the object was created (towns.list's `tick`). */
  tickHealth(): TickHealth {
    return this.ctx.storage.kv.get<TickHealth>(TICK_HEALTH_KEY) ?? NO_TICKS;
  }

  /** This town through its own handle and live hub; the account's other towns through their objects. */
  private tickDeps(townId: string): TickDeps {
    const others = doLive(this.env.TOWN);
    return {
      towns: { get: () => this.handle },
      control: doControl(this.env.CONTROL),
      live: {
        publish: (id) => (id === townId ? this.live.publish('') : others.publish(id)),
        publishSoon: () => this.live.publishSoon(''),
        changes: (_, signal) => this.live.changes('', signal),
      },
      // The control object tells the account's towns once its debits are posted (ControlDO.accountMoved).
      accountMoved: async () => {},
      log: (line) => console.error(line),
    };
  }

  /**
   * A stream that opens with CHANGES_OPENED and its id (4 bytes), or with CHANGES_REFUSED then the
   * refusal as JSON and ends (an error thrown here would reach the isolate without its code: the 429 of a
   * town's stream bound); then a CHANGE byte per change of the town (coalesced), and a HEARTBEAT byte
   * every twentieth of the stream's lifetime while nothing else is being written.
   *
   * It ends when the isolate calls closeChanges with its id: a reader's cancel does not reach this object
   * as a cancel over RPC, and an isolate that died never calls it. But, tried in workerd, a write to an
   * IdentityTransformStream whose reader cancelled rejects ("Network connection lost"), which the
   * heartbeat turns into the end of the stream within 30 s (a pull source is simply not pulled again, and
   * learns nothing). A reader that holds the stream without reading or cancelling leaves the write
   * pending; the live hub's stream lifetime (LIVE_STREAM_MAX_MS) ends that one. Either way the stream
   * stops counting against the town's bound.
   */
  changes(who?: string): ReadableStream<Uint8Array> {
    const abort = new AbortController();
    const id = this.nextStream++;
    let heartbeat: ReturnType<typeof setInterval> | undefined;
    let changes: AsyncGenerator<void>;
    try {
      // Released however it ends; the heartbeat stops with it, even while a write waits on a reader that never reads.
      changes = this.live.changes('', abort.signal, {
        who: typeof who === 'string' ? who : undefined,
        onRelease: () => {
          this.streams.delete(id);
          clearInterval(heartbeat);
        },
      });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      const refusal = JSON.stringify({ code: err.code, message: err.message, path: err.path ?? null });
      return new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new Uint8Array([CHANGES_REFUSED, ...new TextEncoder().encode(refusal)]));
          controller.close();
        },
      });
    }
    this.streams.set(id, abort);
    const { readable, writable } = new IdentityTransformStream();
    const writer = writable.getWriter();
    let writing = 0;
    const write = async (bytes: Uint8Array) => {
      writing++;
      try {
        await writer.write(bytes);
      } catch {
        abort.abort(); // The reader is gone.
      } finally {
        writing--;
      }
    };
    heartbeat = setInterval(() => {
      // A write still pending says as much as a heartbeat would (and rejects when the reader goes).
      if (writing === 0) void write(new Uint8Array([HEARTBEAT]));
    }, this.heartbeatMs);
    void (async () => {
      await write(changesHeader(id));
      for await (const _ of changes) await write(new Uint8Array([CHANGE]));
      await writer.close().catch(() => {});
    })();
    return readable;
  }

  /** Ends a stream of changes (see changes): its live subscription is released. */
  closeChanges(id: number): void {
    this.streams.get(id)?.abort();
  }

  /** Wakes this town's live viewers now (a grant moved the gas tank its overview shows). */
  publish(): void {
    this.live.publish('');
  }

  // The reads and the tick: the handle's methods, with refusals as data (prototype methods: RPC exposes only those).
  tick() {
    return toRemote(() => this.handle.tick());
  }
  timeseries(q: TimeseriesQuery) {
    return toRemote(() => this.handle.timeseries(q));
  }
  throughput() {
    return toRemote(() => this.handle.throughput());
  }
  breakdown(q: BreakdownQuery) {
    return toRemote(() => this.handle.breakdown(q));
  }
  totals(limit?: number) {
    return toRemote(() => this.handle.totals(limit));
  }
  agents(q?: AgentsQuery) {
    return toRemote(() => this.handle.agents(q));
  }
  events(q?: EventsQuery) {
    return toRemote(() => this.handle.events(q));
  }
  event(id: string) {
    return toRemote(() => this.handle.event(id));
  }
  beads(q: BeadsQuery) {
    return toRemote(() => this.handle.beads(q));
  }
  bead(beadId: string) {
    return toRemote(() => this.handle.bead(beadId));
  }
  beadStats(q: { from?: number | undefined; to?: number | undefined }) {
    return toRemote(() => this.handle.beadStats(q));
  }
  runawayRules() {
    return toRemote(() => this.handle.runawayRules());
  }
  beadAssignees(ids: readonly string[]) {
    return toRemote(() => this.handle.beadAssignees(ids));
  }
  outbox() {
    return toRemote(() => this.handle.outbox());
  }
  ackOutbox(seq: number) {
    return toRemote(() => this.handle.ackOutbox(seq));
  }
  nextTickAt(intervals?: TickIntervals, spread?: number) {
    return toRemote(() => this.handle.nextTickAt(intervals, spread));
  }

  /** The next tick comes within `ms`, however idle the town was. */
  private async tickWithin(ms: number): Promise<void> {
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
    const next = (Math.floor(Date.now() / ms) + 1) * ms;
    if (this.alarmAt === null || this.alarmAt > next) await this.setAlarm(next);
  }

  private async setAlarm(at: number): Promise<void> {
    this.alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }

  private remember(townId: string): void {
    if (this.ctx.storage.kv.get(TOWN_ID_KEY) === undefined) this.ctx.storage.kv.put(TOWN_ID_KEY, townId);
  }
}
