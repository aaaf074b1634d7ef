import {
  type ControlStore,
  type LiveBus,
  type TickFaults,
  type TownDirectory,
  tickTown,
  type WebhookDelivery,
} from '@gasgauge/api';
import {
  type Clock,
  type Control,
  NO_TICKS,
  nextTickAt,
  plural,
  type TickHealth,
  TickHealthBook,
  type TickIntervals,
  tickSpread,
} from '@gasgauge/core';
import { DueQueue } from './due-queue.js';
import type { FileTownDirectory } from './town-directory.js';

/** At most this long ticking in one timer callback; the rest of the due towns follow in the next. */
export const RUN_SLICE_MS = 50;
/** How often due webhook retries are looked for. */
export const ALERT_POLL_MS = 500;

/**
 * Test-only fault injection (`GASGAUGE_TEST_CRASH`): SIGKILL the server right after a tick closed a
 * debit and before the account recorded it, or after the account recorded it and before the town
 * deleted it — the two windows in which a naive transfer loses or doubles a debit.
 */
export const CRASH_POINTS = ['after-tick', 'before-ack'] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

/**
 * Drives every town's `tick(now)` on Node, as a Durable Object alarm would on Workers: each town has a
 * due time from the core's `nextTickAt` in a queue (DueQueue), and one timer wakes for the earliest.
 * Towns enter the queue at start (those with a file) and on their first ingest or saved budget
 * (markActive; a town without a file has nothing to tick before), so nothing lists every town again.
 */
/** A wall clock that went back by more than this since the last run moves the due times (CLOCK_STEP_MS). */
const CLOCK_STEP_MS = 1_000;

export class TickScheduler {
  private readonly due = new DueQueue();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private alertTimer: ReturnType<typeof setInterval> | undefined;
  private running = false;
  /** A run is under way: a timer that fires meanwhile leaves the towns to it (it re-arms when done). */
  private ticking = false;
  private readonly healthBook: TickHealthBook;
  /** Towns markActive woke while they were being ticked, and when they asked to tick (see runDue). */
  private readonly wokenWhileTicking = new Map<string, number>();
  private readonly faults: TickFaults = {};
  /** The wall clock and the monotonic one at the last run: the wall clock set back shows as a gap between them. */
  private lastRun: { wall: number; mono: number } | undefined;

  constructor(
    private readonly deps: {
      /** Which towns exist (the CLI may add towns beside the running server). */
      control: Control;
      /** The same store behind the port, for the settle after each tick. */
      store: ControlStore;
      /** Which towns have a file yet. */
      files: FileTownDirectory;
      towns: TownDirectory;
      clock: Clock;
      live: LiveBus;
      webhooks: WebhookDelivery;
      intervals: TickIntervals;
      log: (message: string) => void;
      crashAt?: CrashPoint | undefined;
    },
  ) {
    // Kept in each town's database, so towns.list shows it after a restart; a town without a file has none.
    // A file that cannot be read or written must not fail towns.list, an ingest or the scheduler: the
    // record in memory still holds, and the log says why it was not kept.
    const { files, log } = deps;
    const failed = (what: string, id: string, err: unknown) =>
      log(`tick health of ${id} not ${what}: ${err instanceof Error ? err.message : String(err)}`);
    this.healthBook = new TickHealthBook({
      load: (id) => {
        try {
          return files.exists(id) ? files.get(id).tickHealth() : NO_TICKS;
        } catch (err) {
          failed('read', id, err);
          return NO_TICKS;
        }
      },
      save: (id, health) => {
        try {
          files.get(id).saveTickHealth(health);
        } catch (err) {
          failed('saved', id, err);
        }
      },
    });
    const kill = (): void => {
      process.kill(process.pid, 'SIGKILL');
    };
    if (deps.crashAt === 'after-tick') {
      this.faults.afterTick = async (town) => {
        if ((await town.outbox()).length > 0) kill();
      };
    }
    if (deps.crashAt === 'before-ack') this.faults.beforeAck = kill;
  }

  start(): void {
    this.running = true;
    this.scan();
    this.alertTimer = setInterval(() => this.deliverAlerts(), ALERT_POLL_MS);
    this.alertTimer.unref();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    clearInterval(this.alertTimer);
  }

  /**
   * One town's tick, its outbox settled into the owning account, its viewers told: the API's `tickTown`,
   * the sequence a Durable Object alarm runs too. Rejects when the tick or the settle failed.
   */
  tickTown(id: string): Promise<void> {
    const { towns, store, live, log } = this.deps;
    return tickTown({ towns, control: store, live, log, alertsRaised: () => this.deliverAlerts() }, id, this.faults);
  }

  private deliverAlerts(): void {
    this.deps.webhooks.deliverDue().catch((err: unknown) => {
      this.deps.log(`alert delivery failed: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  /** How the town's scheduled ticks have gone (shown in towns.list), kept across restarts. */
  healthOf(townId: string): TickHealth {
    return this.healthBook.get(townId);
  }

  /** For readiness: whether the scheduler runs, and when each town it knows is due next. */
  health(): { running: boolean; due: ReadonlyMap<string, number> } {
    return { running: this.running, due: this.due.times };
  }

  /**
   * After an ingest, or a saved budget (a lowered cap may be crossed already): the town ticks within
   * the active interval, however idle or dormant it was.
   */
  markActive(townId: string): void {
    if (!this.running) return;
    // The town just took ingest, so it is active now: no need to read its state.
    const now = this.deps.clock();
    const next = nextTickAt({ lastIngestAt: now, lastTickAt: null }, now, this.deps.intervals);
    // A failing town keeps its backoff: ingest does not make it retry sooner.
    if (this.healthBook.get(townId).failures > 0) return;
    if (this.due.isTaken(townId)) {
      // Being ticked: the tick may have read its state before this ingest or budget, and its own next
      // time (an hour on, for a dormant town) would replace one set now. runDue keeps the earlier.
      this.wokenWhileTicking.set(townId, Math.min(this.wokenWhileTicking.get(townId) ?? next, next));
      return;
    }
    const current = this.due.get(townId);
    if (current !== undefined && current <= next) return;
    this.due.set(townId, next);
    this.arm();
  }

  /**
   * At start, once: each town with a file ticks within the active interval (settling what a previous
   * run left), at its own place in it so a restart does not open every town in one go. A town without
   * a file, or created later (by the API or the CLI beside the server), enters on its first ingest.
   */
  private scan(): void {
    const now = this.deps.clock();
    for (const id of this.deps.control.allTownIds()) {
      if (this.due.get(id) === undefined && this.deps.files.exists(id)) {
        this.due.set(id, now + Math.floor(tickSpread(id) * this.deps.intervals.activeMs));
      }
    }
    this.arm();
  }

  private arm(): void {
    if (!this.running) return;
    const earliest = this.due.earliest();
    if (earliest === undefined) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), Math.max(0, earliest - this.deps.clock()));
  }

  /**
   * Due times are wall-clock times: a clock set back by an hour (a VM restored, a wrong time corrected)
   * left every town that took no ingest since without a tick, and its budget and debits, for that hour.
   * They move back with the clock instead.
   */
  private followClockBack(now: number, mono: number): void {
    const last = this.lastRun;
    this.lastRun = { wall: now, mono };
    if (!last) return;
    const step = now - (last.wall + (mono - last.mono));
    if (step > -CLOCK_STEP_MS) return;
    this.due.shift(step);
    this.deps.log(`the clock went back ${-Math.round(step)} ms: every town's next tick moved back with it`);
  }

  private async run(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.runDue();
    } finally {
      this.ticking = false;
      this.arm();
    }
  }

  private async runDue(): Promise<void> {
    const now = this.deps.clock();
    const started = performance.now();
    this.followClockBack(now, started);
    // Many towns due at once (a restart): tick in slices, so requests are served in between.
    for (let id = this.due.takeDue(now); id !== undefined; id = this.due.takeDue(now)) {
      try {
        await this.tickTown(id);
        const { failures } = this.healthBook.get(id);
        this.healthBook.ok(id, now);
        // The log said each failure: it says the end of them too, or an operator reading it sees a town still failing.
        if (failures > 0) this.deps.log(`tick of ${id} ok again after ${plural(failures, 'failure')} in a row`);
        const next = await this.deps.towns.get(id).nextTickAt(this.deps.intervals, tickSpread(id));
        const woken = this.wokenWhileTicking.get(id);
        this.wokenWhileTicking.delete(id);
        this.due.set(id, woken === undefined ? next : Math.min(woken, next));
      } catch (err) {
        // A failing town must not stop the others: it is retried with backoff, and towns.list shows it.
        const retryAt = this.healthBook.failed(id, err, now, this.deps.intervals);
        this.wokenWhileTicking.delete(id);
        const { failures } = this.healthBook.get(id);
        const message = err instanceof Error ? err.message : String(err);
        this.deps.log(`tick of ${id} failed (${failures} in a row, retry in ${retryAt - now} ms): ${message}`);
        this.due.set(id, retryAt);
      }
      if (performance.now() - started > RUN_SLICE_MS) break;
    }
  }
}
