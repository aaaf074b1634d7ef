import { AppError } from '../errors.js';
import type { TickIntervals } from './schedule.js';

/** How a town's ticks (tick, then settle into its account) have gone, as the API shows it. */
export interface TickHealth {
  /** When a tick and its settle last both succeeded; null before the first since the host started. */
  lastOkAt: number | null;
  /** Failed attempts since the last success; each one is retried after a longer wait. */
  failures: number;
  /** Failed attempts since the host started. */
  failuresTotal: number;
  /** The last failure, while `failures` > 0; internal errors are named only in the server log. */
  lastError: string | null;
  lastErrorAt: number | null;
  /** When the next attempt is due after a failure, else null. */
  retryAt: number | null;
}

const MAX_ERROR_LENGTH = 200;

/** A town's record before any tick: what a host shows for a town it has not ticked yet. */
export const NO_TICKS: Readonly<TickHealth> = Object.freeze({
  lastOkAt: null,
  failures: 0,
  failuresTotal: 0,
  lastError: null,
  lastErrorAt: null,
  retryAt: null,
});

/** The record after a tick and its settle both succeeded at `now`. */
export function tickSucceeded(h: TickHealth, now: number): TickHealth {
  return { ...h, lastOkAt: now, failures: 0, lastError: null, lastErrorAt: null, retryAt: null };
}

/**
 * The record after a failure at `now`; its `retryAt` is when to try again. One failing town must not
 * stop its own billing for long, nor anyone else's: after a failure a host tries again after the active
 * interval doubled per failure in a row, up to the idle interval. Plain values, so the Node scheduler
 * (TickHealthBook, in memory) and a Durable Object alarm (in its storage) use the same rule.
 */
export function tickFailed(h: TickHealth, err: unknown, now: number, intervals: TickIntervals): TickHealth & { retryAt: number } {
  const failures = h.failures + 1;
  const wait = Math.min(intervals.idleMs, intervals.activeMs * 2 ** Math.min(failures - 1, 30));
  return {
    lastOkAt: h.lastOkAt,
    failures,
    failuresTotal: h.failuresTotal + 1,
    lastError: publicMessage(err),
    lastErrorAt: now,
    retryAt: now + wait,
  };
}

/** The Node host's records of its towns, in memory (since the server started). */
export class TickHealthBook {
  private readonly towns = new Map<string, TickHealth>();

  get(townId: string): TickHealth {
    return { ...(this.towns.get(townId) ?? NO_TICKS) };
  }

  ok(townId: string, now: number): void {
    this.towns.set(townId, tickSucceeded(this.towns.get(townId) ?? NO_TICKS, now));
  }

  /** Records a failure; returns when to try again. */
  failed(townId: string, err: unknown, now: number, intervals: TickIntervals): number {
    const h = tickFailed(this.towns.get(townId) ?? NO_TICKS, err, now, intervals);
    this.towns.set(townId, h);
    return h.retryAt;
  }
}

/** What a town's readers may see of an error: an AppError meant for clients, else only that it happened. */
function publicMessage(err: unknown): string {
  if (err instanceof AppError && err.expose) return err.message.slice(0, MAX_ERROR_LENGTH);
  return 'internal error (the server log has the details)';
}
