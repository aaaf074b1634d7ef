import { AppError } from '../errors.js';
import type { Sql } from '../sql.js';
import type { TickIntervals } from './schedule.js';

/** How a town's ticks (tick, then settle into its account) have gone, as the API shows it. */
export interface TickHealth {
  /** When a tick and its settle last both succeeded; null before the first (kept across restarts). */
  lastOkAt: number | null;
  /** Failed attempts since the last success; each one is retried after a longer wait. */
  failures: number;
  /** Failed attempts in all (kept across restarts, as the whole record is). */
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
 * (TickHealthBook, in the town's database) and a Durable Object alarm (in its storage) use the same rule.
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

/** Where a host keeps its towns' records across restarts (on Node, each town's own database). */
export interface TickHealthStore {
  load(townId: string): TickHealth;
  save(townId: string, health: TickHealth): void;
}

/**
 * The Node host's records of its towns: in memory, read from the store on first use and written to it
 * when a record changes in more than its `lastOkAt` (see saveTickHealth), so a healthy tick writes nothing.
 */
export class TickHealthBook {
  private readonly towns = new Map<string, TickHealth>();

  constructor(private readonly store?: TickHealthStore) {}

  get(townId: string): TickHealth {
    return { ...this.current(townId) };
  }

  ok(townId: string, now: number): void {
    this.record(townId, tickSucceeded(this.current(townId), now));
  }

  /** Records a failure; returns when to try again. */
  failed(townId: string, err: unknown, now: number, intervals: TickIntervals): number {
    const h = tickFailed(this.current(townId), err, now, intervals);
    this.record(townId, h);
    return h.retryAt;
  }

  private current(townId: string): TickHealth {
    let h = this.towns.get(townId);
    if (!h) {
      h = this.store?.load(townId) ?? NO_TICKS;
      this.towns.set(townId, h);
    }
    return h;
  }

  private record(townId: string, h: TickHealth): void {
    const before = this.current(townId);
    this.towns.set(townId, h);
    if (this.store && !sameButLastOk(before, h)) this.store.save(townId, h);
  }
}

function sameButLastOk(a: TickHealth, b: TickHealth): boolean {
  return (
    a.failures === b.failures &&
    a.failuresTotal === b.failuresTotal &&
    a.lastError === b.lastError &&
    a.lastErrorAt === b.lastErrorAt &&
    a.retryAt === b.retryAt
  );
}

/**
 * A town's record as its host last saved it. Successes in a row are not saved (a tick must stay cheap),
 * so while the record shows no failure its `lastOkAt` is the town's last tick (`last_tick_at`, which
 * the tick writes itself); a tick whose settle failed is a saved failure, which keeps its own `lastOkAt`.
 */
export function loadTickHealth(sql: Sql): TickHealth {
  const [json, lastTickAt] = (sql.rows('SELECT tick_health, last_tick_at FROM town_state WHERE id = 1')[0] ?? [null, null]) as [
    string | null,
    number | null,
  ];
  const saved = json === null ? NO_TICKS : (JSON.parse(json) as TickHealth);
  if (saved.failures > 0 || lastTickAt === null) return { ...saved };
  return { ...saved, lastOkAt: Math.max(saved.lastOkAt ?? lastTickAt, lastTickAt) };
}

/** Saves the record (TickHealthBook calls it only when more than `lastOkAt` changed). */
export function saveTickHealth(sql: Sql, health: TickHealth): void {
  sql.run('UPDATE town_state SET tick_health = ? WHERE id = 1', JSON.stringify(health));
}

/** What a town's readers may see of an error: an AppError meant for clients, else only that it happened. */
function publicMessage(err: unknown): string {
  if (err instanceof AppError && err.expose) return err.message.slice(0, MAX_ERROR_LENGTH);
  return 'internal error (the server log has the details)';
}
