import { describe, expect, it } from 'vitest';
import { schedulerReadiness } from './readiness.js';

// The scheduler's in-memory state, given directly: what /readyz computes from it is the point here.
const scheduler = (running: boolean, due: [string, number][]) => ({ health: () => ({ running, due: new Map(due) }) });

describe('schedulerReadiness', () => {
  it('is ready while the scheduler runs and keeps up, and names no town', () => {
    // b is due in an hour (a quiet town, or one waiting out its backoff): not a reason to be unready.
    const r = schedulerReadiness(
      scheduler(true, [
        ['a', 1000],
        ['b', 3_600_000],
      ]),
      () => 1100,
      200,
    )();
    expect(r).toEqual({
      ready: true,
      checks: { scheduler: 'running', towns: 2, overdueTowns: 0, maxTickLagMs: 100, maxLagMs: 200 },
    });
  });

  it('is not ready when a tick is overdue past the bound, or the scheduler is stopped', () => {
    expect(
      schedulerReadiness(
        scheduler(true, [
          ['a', 1000],
          ['b', 899],
        ]),
        () => 1100,
        200,
      )(),
    ).toMatchObject({ ready: false, checks: { overdueTowns: 1, maxTickLagMs: 201 } });
    expect(schedulerReadiness(scheduler(false, []), () => 0, 200)()).toMatchObject({
      ready: false,
      checks: { scheduler: 'stopped', towns: 0 },
    });
  });
});
