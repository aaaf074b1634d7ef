/**
 * beads.stats on a town of 100,000 beads (one usage record each, ticked; each opened, every other one
 * closed, its lines at review known on every fourth): over all time and over a week, timed against the
 * per-bead-in-JS reference (beadStatsKeyed) in alternation on the same town, and checked equal to it.
 * `npx tsx bench/beads-stats-100k.ts`.
 */
import { beadStatsKeyed } from '@gasgauge/core/testing/bead-stats-keyed';
import { beadTown, T0 } from './bead-town.js';
import { alternatedMeanMs } from './stats.js';

const { town } = beadTown(100_000, 500);
// Lines at review as a review event would have recorded them.
town.sql.run(
  'UPDATE beads SET loc_at_review = CAST(substr(id, 6) AS INTEGER) % 300 WHERE CAST(substr(id, 6) AS INTEGER) % 4 = 0',
);

const shapes: [string, { from?: number; to?: number }][] = [
  ['all time', {}],
  ['a range', { from: T0 + 3 * 3_600_000 + 7, to: T0 + 10 * 3_600_000 + 5 }],
];
for (const [name, q] of shapes) {
  const keyed = () => beadStatsKeyed(town.sql, q);
  const sql = () => town.beadStats(q);
  if (JSON.stringify(keyed()) !== JSON.stringify(sql())) throw new Error(`${name}: the stats differ from the reference`);
  const [keyedMs, sqlMs] = alternatedMeanMs(keyed, sql);
  console.log(
    `beads.stats ${name}: per bead in JS ${keyedMs.toFixed(1)} ms, in SQL ${sqlMs.toFixed(1)} ms (${(keyedMs / sqlMs).toFixed(1)}×)`,
  );
}
