import { describe, expect, it } from 'vitest';
import { schedulerReadiness } from './readiness.js';

// The scheduler's in-memory state, given directly: what /readyz computes from it is the point here.
const fakeScheduler = (running: boolean, tickedAt: Record<string, number>) => ({
  health: () => ({ running, tickedAt: new Map(Object.entries(tickedAt)) }),
});

describe('schedulerReadiness', () => {
  it('is ready while the scheduler runs and every town ticked within the bound, and names no town', () => {
    const r = schedulerReadiness(fakeScheduler(true, { a: 1000, b: 900 }), () => 1100, 200)();
    expect(r).toEqual({
      ready: true,
      checks: { scheduler: 'running', towns: 2, staleTowns: 0, oldestTickAgeMs: 200, maxTickAgeMs: 200 },
    });
  });

  it('is not ready when one town is past the bound, or the scheduler is stopped', () => {
    expect(schedulerReadiness(fakeScheduler(true, { a: 1000, b: 899 }), () => 1100, 200)()).toMatchObject({
      ready: false,
      checks: { staleTowns: 1, oldestTickAgeMs: 201 },
    });
    expect(schedulerReadiness(fakeScheduler(false, {}), () => 0, 200)()).toMatchObject({
      ready: false,
      checks: { scheduler: 'stopped', towns: 0 },
    });
  });
});
