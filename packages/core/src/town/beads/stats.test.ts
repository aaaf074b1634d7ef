import { beadStatsKeyed } from '@gasgauge/core/testing/bead-stats-keyed';
import { loggingTown, usageRecord } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { HOUR } from './totals.js';

const T0 = Date.UTC(2026, 10, 1, 0, 0, 0);
const BEADS = 2_000;

/**
 * BEADS beads over two days, a usage record each, every other one closed (some of them with lines at
 * review), every tenth record on no bead, a few beads with usage but no status event; the last records
 * not yet applied by a tick, so the reads correct the totals with them.
 */
function town() {
  const now = { t: T0 + 48 * HOUR };
  const { town, log } = loggingTown(now);
  const at = (i: number) => T0 + Math.floor((i * 47 * HOUR) / BEADS);
  const records = Array.from({ length: BEADS }, (_, i) =>
    usageRecord({
      id: `u${i}`,
      agentId: `a${i % 7}`,
      at: at(i),
      costMicrodollars: (i * 7919) % 1_003,
      inputTokens: (i * 104_729) % 5_021,
      ...(i % 10 === 9 ? {} : { beadId: `b${i}` }),
    }),
  );
  town.ingestUsage(records.slice(0, BEADS - 100));
  town.ingestEvents(
    Array.from({ length: BEADS - 50 }, (_, i) => ({
      id: `e${i}`,
      at: at(i) + (i % 2 === 0 ? 30 * 60_000 : 0),
      type: 'bead' as const,
      beadId: `b${i}`,
      status: i % 2 === 0 ? ('closed' as const) : ('open' as const),
    })),
  );
  town.tick();
  town.ingestUsage(records.slice(BEADS - 100));
  town.sql.run(
    'UPDATE beads SET loc_at_review = CAST(substr(id, 2) AS INTEGER) % 50 WHERE CAST(substr(id, 2) AS INTEGER) % 6 = 0',
  );
  log.length = 0;
  return { town, log };
}

const ranges: [string, { from?: number; to?: number }][] = [
  ['all time', {}],
  ['from 0 to a part-hour', { to: T0 + 20 * HOUR + 7 }],
  ['part-hours at both ends', { from: T0 + 90 * 60_000 + 7, to: T0 + 30 * HOUR + 5 }],
  ['whole hours', { from: T0 + 2 * HOUR, to: T0 + 40 * HOUR }],
  ['inside one hour', { from: T0 + 5 * HOUR + 1, to: T0 + 5 * HOUR + 1_000 }],
  ['before everything', { from: 1, to: T0 }],
  ['open after a start', { from: T0 + 10 * HOUR }],
];

describe('beads.stats', () => {
  it('is what summing every bead in JS gives, on every shape of range', () => {
    const { town: t } = town();
    for (const [, q] of ranges) expect(t.beadStats(q)).toEqual(beadStatsKeyed(t.sql, q));
    expect(t.beadStats().closedBeads).toBe(BEADS / 2 - 25);
  });

  it('reads a few rows into JS whatever the number of beads: the beads are summed and ranked in SQL', () => {
    // A user reading their own town of 100,000 beads must not hold a Node host's event loop for each bead.
    const { town: t, log } = town();
    for (const [name, q] of ranges) {
      log.length = 0;
      t.beadStats(q);
      const rows = log.reduce((n, s) => n + s.rows, 0);
      expect(rows, name).toBeLessThanOrEqual(10);
    }
  });
});
