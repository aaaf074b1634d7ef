import { LIVE_STREAM_MAX_MS } from '@gasgauge/api';
import { ACTIVE_TICK_MS, IDLE_TICK_MS, type TickIntervals } from '@gasgauge/core';

/** A whole number from a Worker var within [min, max], else `fallback` (the var unset, empty or not a sane number). */
export function wholeVar(value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : fallback;
}

/** The tick intervals from the `TICK_MS` var (tests shorten it), as `gasgauge serve --tick-ms` does. */
export function tickIntervals(tickMs: string | undefined): TickIntervals {
  const activeMs = wholeVar(tickMs, ACTIVE_TICK_MS, 50, 60_000);
  return { activeMs, idleMs: Math.max(activeMs, IDLE_TICK_MS) };
}

/** Each live stream's lifetime from the `LIVE_STREAM_MAX_MS` var (tests shorten it); LIVE_STREAM_MAX_MS unless a sane number. */
export function liveStreamMaxMs(value: string | undefined): number {
  return wholeVar(value, LIVE_STREAM_MAX_MS, 100, 60 * 60_000);
}
