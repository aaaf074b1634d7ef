import { keeps, TIERS } from './tiers.js';

/** How far ahead of the server's clock a reporter's `at` may be before it counts as skewed. */
export const MAX_SKEW_MS = 5 * 60_000;

export type EventTime = { kind: 'ok' | 'skewed'; at: number } | { kind: 'tooOld' };

/**
 * Counters land at their event time. Anything in the future is clamped to now (a slot in the future
 * would be invisible until then); more than MAX_SKEW_MS ahead is also reported as skewed.
 * What no tier keeps any more (older than the longest retention) is not stored at all.
 */
export function eventTime(at: number, now: number): EventTime {
  if (!TIERS.some((tier) => keeps(tier, at, now))) return { kind: 'tooOld' };
  if (at > now + MAX_SKEW_MS) return { kind: 'skewed', at: now };
  return { kind: 'ok', at: Math.min(at, now) };
}

/** Per-batch tallies of records that were stored at a time other than their own, or not at all. */
export interface TimeTally {
  tooOld: number;
  skewed: number;
}

/** Calls fn with each item, the time it is stored at and its index, tallying the items stored at another time or not at all. */
export function forEachAtEventTime<T extends { at: number }>(
  items: readonly T[],
  now: number,
  tally: TimeTally,
  fn: (item: T, at: number, index: number) => void,
): void {
  items.forEach((item, index) => {
    const time = eventTime(item.at, now);
    if (time.kind === 'tooOld') {
      tally.tooOld++;
      return;
    }
    if (time.kind === 'skewed') tally.skewed++;
    fn(item, time.at, index);
  });
}
