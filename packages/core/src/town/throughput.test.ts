import { fileTown } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { BEADS_WINDOW_MS, THROUGHPUT_WINDOW_MS } from './throughput.js';

const MIN = 60_000;

describe('throughput', () => {
  it('counts beads closed over the last hour, tokens and cost over the last 5 minutes', () => {
    const T = Date.UTC(2026, 10, 1, 12);
    const now = { t: T };
    const town = fileTown(now);
    const closed = (beadId: string, at: number) => ({
      id: `${beadId}-closed`,
      at,
      type: 'bead' as const,
      beadId,
      status: 'closed' as const,
    });
    town.ingestEvents([closed('b-outside', T - 61 * MIN), closed('b-hour', T - 40 * MIN), closed('b-now', T - 2 * MIN)]);
    town.tick();
    const t = town.throughput();
    expect(t.windowMs).toBe(THROUGHPUT_WINDOW_MS);
    expect(t.beadsWindowMs).toBe(BEADS_WINDOW_MS);
    // Two in the last hour: 2 an hour (over 5 minutes alone, the one at T − 2 min read as 12 an hour).
    expect(t.beadsClosedPerHour).toBe(2);
  });
});
