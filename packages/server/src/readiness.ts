import type { Readiness } from '@gasgauge/api';
import type { Clock } from '@gasgauge/core';
import type { TickScheduler } from './scheduler.js';

/** A town whose tick is overdue by more than this many idle intervals makes the server not ready. */
export const STALE_TICK_INTERVALS = 3;

/**
 * The Node host's part of `GET /readyz`, from what the scheduler already holds in memory (no town
 * file is opened): it runs, and it keeps up — no town's tick is overdue by more than `maxLagMs`.
 * Lag, not the age of the last tick: a quiet town ticks once an hour and a failing town waits out its
 * backoff, and neither means the server cannot work (one town an attacker broke must not take the
 * whole server out of a load balancer). Town ids stay out of it (the probe is unauthenticated).
 */
export function schedulerReadiness(scheduler: Pick<TickScheduler, 'health'>, clock: Clock, maxLagMs: number): () => Readiness {
  return () => {
    const { running, due } = scheduler.health();
    const now = clock();
    let overdue = 0;
    let lag = 0;
    for (const at of due.values()) {
      if (now - at > maxLagMs) overdue++;
      lag = Math.max(lag, now - at);
    }
    return {
      ready: running && overdue === 0,
      checks: {
        scheduler: running ? 'running' : 'stopped',
        towns: due.size,
        overdueTowns: overdue,
        maxTickLagMs: lag,
        maxLagMs,
      },
    };
  };
}
