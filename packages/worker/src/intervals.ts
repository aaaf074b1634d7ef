import { LIVE_STREAM_MAX_MS } from '@gasgauge/api';
import { ACTIVE_TICK_MS, IDLE_TICK_MS, type TickIntervals } from '@gasgauge/core';

/** The tick intervals from the `TICK_MS` var (tests shorten it), as `gasgauge serve --tick-ms` does. */
export function tickIntervals(tickMs: string | undefined): TickIntervals {
  const n = Number(tickMs);
  const activeMs = Number.isSafeInteger(n) && n >= 50 && n <= 60_000 ? n : ACTIVE_TICK_MS;
  return { activeMs, idleMs: Math.max(activeMs, IDLE_TICK_MS) };
}

/** Each live stream's lifetime from the `LIVE_STREAM_MAX_MS` var (tests shorten it); LIVE_STREAM_MAX_MS unless a sane number. */
export function liveStreamMaxMs(value: string | undefined): number {
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 100 && n <= 60 * 60_000 ? n : LIVE_STREAM_MAX_MS;
}
