import type { TownState } from './state.js';

/** A town that took ingest in this window ticks at the active interval. */
export const ACTIVE_WINDOW_MS = 10 * 60_000;
export const ACTIVE_TICK_MS = 5_000;
export const IDLE_TICK_MS = 60_000;

export interface TickIntervals {
  activeMs: number;
  idleMs: number;
}

/**
 * When the town should tick next: on the next multiple of its interval, so ticks land at the same
 * place in every 5 s slot. Both the Node scheduler and a Durable Object alarm use this.
 */
export function nextTickAt(
  state: TownState,
  now: number,
  intervals: TickIntervals = { activeMs: ACTIVE_TICK_MS, idleMs: IDLE_TICK_MS },
): number {
  const active = state.lastIngestAt !== null && state.lastIngestAt >= now - ACTIVE_WINDOW_MS;
  const interval = active ? intervals.activeMs : intervals.idleMs;
  return (Math.floor(now / interval) + 1) * interval;
}
