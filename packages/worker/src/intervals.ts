import { ACTIVE_TICK_MS, IDLE_TICK_MS, type TickIntervals } from '@gasgauge/core';

/** The tick intervals from the `TICK_MS` var (tests shorten it), as `gasgauge serve --tick-ms` does. */
export function tickIntervals(tickMs: string | undefined): TickIntervals {
  const n = Number(tickMs);
  const activeMs = Number.isSafeInteger(n) && n >= 50 && n <= 60_000 ? n : ACTIVE_TICK_MS;
  return { activeMs, idleMs: Math.max(activeMs, IDLE_TICK_MS) };
}
