/**
 * beads.stats on a town of 100,000 beads (one usage record each, ticked; each opened, every other one
 * closed, its lines at review known on every fourth): over all time and over a week, timed against the
 * per-bead-in-JS reference (beadStatsKeyed) in alternation on the same town, and checked equal to it.
 * `npx tsx bench/beads-stats-100k.ts`.
 */
import type { TownEvent, UsageRecord } from '@gasgauge/core';
import { beadStatsKeyed } from '@gasgauge/core/testing/bead-stats-keyed';
import { fileTown, usageRecord } from '@gasgauge/server/testing';
import { meanMs } from './stats.js';

const T0 = Date.UTC(2026, 10, 1);
const BEADS = 100_000;
const DAY = 86_400_000;
const now = { t: T0 + DAY };
const town = fileTown(now);
for (let i = 0; i < BEADS; i += 5_000) {
  const records: UsageRecord[] = Array.from({ length: 5_000 }, (_, k) =>
    usageRecord({
      id: `u${i + k}`,
      at: T0 + (i + k) * 500,
      beadId: `bead-${i + k}`,
      costMicrodollars: ((i + k) * 7919) % 100_003,
      inputTokens: ((i + k) * 104_729) % 50_021,
    }),
  );
  town.ingestUsage(records);
  const events: TownEvent[] = records.flatMap((_, k) => {
    const n = i + k;
    const opened: TownEvent = { id: `o${n}`, at: T0 + n, type: 'bead', beadId: `bead-${n}`, status: 'open' };
    const closed: TownEvent = {
      id: `c${n}`,
      at: T0 + n * 500 + ((n * 31) % 50_000),
      type: 'bead',
      beadId: `bead-${n}`,
      status: 'closed',
    };
    return n % 2 === 0 ? [opened, closed] : [opened];
  });
  town.ingestEvents(events);
}
// Lines at review as a review event would have recorded them.
town.sql.run(
  'UPDATE beads SET loc_at_review = CAST(substr(id, 6) AS INTEGER) % 300 WHERE CAST(substr(id, 6) AS INTEGER) % 4 = 0',
);
// The tick applies at most 50,000 records to the per-bead totals at a time.
for (let i = 0; i < 4; i++) town.tick();

const shapes: [string, { from?: number; to?: number }][] = [
  ['all time', {}],
  ['a range', { from: T0 + 3 * 3_600_000 + 7, to: T0 + 10 * 3_600_000 + 5 }],
];
for (const [name, q] of shapes) {
  const keyed = () => beadStatsKeyed(town.sql, q);
  const sql = () => town.beadStats(q);
  if (JSON.stringify(keyed()) !== JSON.stringify(sql())) throw new Error(`${name}: the stats differ from the reference`);
  const times = { keyed: 0, sql: 0 };
  const rounds = 3;
  for (let r = 0; r < rounds; r++) {
    times.keyed += meanMs(keyed, 2) / rounds;
    times.sql += meanMs(sql, 2) / rounds;
  }
  console.log(
    `beads.stats ${name}: per bead in JS ${times.keyed.toFixed(1)} ms, in SQL ${times.sql.toFixed(1)} ms (${(times.keyed / times.sql).toFixed(1)}×)`,
  );
}
