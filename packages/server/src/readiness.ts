import type { Readiness } from '@gasgauge/api';
import type { Clock } from '@gasgauge/core';
import type { TickScheduler } from './scheduler.js';

/** A town whose last tick is older than this many idle intervals makes the server not ready. */
export const STALE_TICK_INTERVALS = 3;

/**
 * The Node host's part of `GET /readyz`, from what the scheduler already holds in memory (no town
 * file is opened): it runs, and every town ticked within `maxTickAgeMs`. Town ids stay out of it
 * (the probe is unauthenticated); counts and the oldest age say enough.
 */
export function schedulerReadiness(
  scheduler: Pick<TickScheduler, 'health'>,
  clock: Clock,
  maxTickAgeMs: number,
): () => Readiness {
  return () => {
    const { running, tickedAt } = scheduler.health();
    const now = clock();
    let stale = 0;
    let oldest = 0;
    for (const at of tickedAt.values()) {
      const age = now - at;
      if (age > maxTickAgeMs) stale++;
      oldest = Math.max(oldest, age);
    }
    return {
      ready: running && stale === 0,
      checks: {
        scheduler: running ? 'running' : 'stopped',
        towns: tickedAt.size,
        staleTowns: stale,
        oldestTickAgeMs: oldest,
        maxTickAgeMs,
      },
    };
  };
}
