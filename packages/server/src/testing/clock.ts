import { localDay, localMidnight } from '@gasgauge/core';

const HOUR = 3_600_000;

/**
 * A test's clock: it runs at real speed from noon today in `tz` (default UTC), so a test's seconds or
 * minutes never cross a midnight of that calendar (a new budget day, week, month or year, a new day
 * bucket, a DST change) whenever CI runs it. Pass `clock` to the server (`startTestServer({ clock })`)
 * and stamp records with `clock()`, not `Date.now()`. `skew` moves it (`c.skew += 11 * MINUTE`).
 */
export interface TestClock {
  (): number;
  /** Where it started: noon today in `tz`. */
  readonly start: number;
  /** Added to the clock from now on; may be changed. */
  skew: number;
}

export function middayClock(tz = 'UTC'): TestClock {
  const now = Date.now();
  const start = localMidnight(localDay(now, tz), tz) + 12 * HOUR;
  const offset = start - now;
  const clock = (() => Date.now() + offset + clock.skew) as TestClock;
  Object.assign(clock, { start, skew: 0 });
  return clock;
}
