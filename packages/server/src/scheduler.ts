import type { LiveHub } from '@gasgauge/api';
import { type Clock, type Control, nextTickAt, type TickIntervals } from '@gasgauge/core';
import type { FileTownDirectory } from './town-directory.js';

/** How often the scheduler looks for towns created by the CLI beside the running server. */
export const TOWN_REFRESH_MS = 2000;

/**
 * Drives every town's `tick(now)` on Node, as a Durable Object alarm would on Workers: each town has a
 * due time from the core's `nextTickAt`, and one timer wakes for the earliest.
 */
export class TickScheduler {
  private readonly due = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private refreshTimer: ReturnType<typeof setInterval> | undefined;
  private running = false;

  constructor(
    private readonly deps: {
      control: Control;
      towns: FileTownDirectory;
      clock: Clock;
      live: LiveHub;
      intervals: TickIntervals;
      log: (message: string) => void;
    },
  ) {}

  start(): void {
    this.running = true;
    this.refresh();
    this.refreshTimer = setInterval(() => this.refresh(), TOWN_REFRESH_MS);
    this.refreshTimer.unref();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    clearInterval(this.refreshTimer);
  }

  /** After an ingest: an idle town becomes active, so its next tick moves up to the active interval. */
  markActive(townId: string): void {
    if (!this.running) return;
    // The town just took ingest, so it is active now: no need to read its state.
    const now = this.deps.clock();
    const next = nextTickAt({ lastIngestAt: now, lastTickAt: null }, now, this.deps.intervals);
    const current = this.due.get(townId);
    if (current !== undefined && current <= next) return;
    this.due.set(townId, next);
    this.arm();
  }

  private refresh(): void {
    for (const id of this.deps.control.allTownIds()) {
      if (!this.due.has(id)) this.due.set(id, this.deps.clock());
    }
    this.arm();
  }

  private arm(): void {
    if (!this.running) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const at of this.due.values()) earliest = Math.min(earliest, at);
    if (earliest === Number.POSITIVE_INFINITY) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), Math.max(0, earliest - this.deps.clock()));
  }

  private run(): void {
    const now = this.deps.clock();
    for (const [id, at] of this.due) {
      if (at > now) continue;
      try {
        const town = this.deps.towns.get(id);
        town.tick();
        this.due.set(id, town.nextTickAt(this.deps.intervals));
        this.deps.live.publish(id);
      } catch (err) {
        // A failing town must not stop the others; it is retried at the idle interval.
        this.deps.log(`tick of ${id} failed: ${err instanceof Error ? err.message : String(err)}`);
        this.due.set(id, now + this.deps.intervals.idleMs);
      }
    }
    this.arm();
  }
}
