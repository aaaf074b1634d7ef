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

/**
 * One failing town must not stop its own billing for long, nor anyone else's: a host records each
 * town's outcome here and, after a failure, tries again after the active interval doubled per failure
 * in a row, up to the idle interval. Plain state, so the Node scheduler and a Durable Object alarm use
 * the same rule.
 */
export class TickHealthBook {
  private readonly towns = new Map<string, TickHealth>();

  get(townId: string): TickHealth {
    return { ...(this.towns.get(townId) ?? EMPTY) };
  }

  ok(townId: string, now: number): void {
    const h = this.towns.get(townId);
    this.towns.set(townId, { ...(h ?? EMPTY), lastOkAt: now, failures: 0, lastError: null, lastErrorAt: null, retryAt: null });
  }

  /** Records a failure; returns when to try again. */
  failed(townId: string, err: unknown, now: number, intervals: TickIntervals): number {
    const h = this.towns.get(townId) ?? EMPTY;
    const failures = h.failures + 1;
    const wait = Math.min(intervals.idleMs, intervals.activeMs * 2 ** Math.min(failures - 1, 30));
    const retryAt = now + wait;
    this.towns.set(townId, {
      lastOkAt: h.lastOkAt,
      failures,
      failuresTotal: h.failuresTotal + 1,
      lastError: publicMessage(err),
      lastErrorAt: now,
      retryAt,
    });
    return retryAt;
  }
}

const EMPTY: TickHealth = { lastOkAt: null, failures: 0, failuresTotal: 0, lastError: null, lastErrorAt: null, retryAt: null };

/** What a town's readers may see of an error: an AppError meant for clients, else only that it happened. */
function publicMessage(err: unknown): string {
  if (err instanceof AppError && err.expose) return err.message.slice(0, MAX_ERROR_LENGTH);
  return 'internal error (the server log has the details)';
}
