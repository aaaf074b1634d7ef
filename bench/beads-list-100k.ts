/**
 * beads.list on a town of 100,000 beads (one usage record each, ticked; each opened, every other one
 * closed): over all time by cost and by tokens, the first page and a page deep in the list (bead_totals
 * in sort order); then the shapes keyed in one SQL statement (status, duration, closedAt, a range),
 * timed against the keyed-in-JS reference (listBeadsKeyed) in alternation on the same town, and checked
 * equal to it. `npx tsx bench/beads-list-100k.ts`.
 */
import type { BeadsQuery, TownEvent, UsageRecord } from '@gasgauge/core';
import { listBeadsKeyed } from '@gasgauge/core/testing/beads-list-keyed';
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
      at: T0 + i + k,
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
      at: T0 + n + ((n * 31) % 50_000),
      type: 'bead',
      beadId: `bead-${n}`,
      status: 'closed',
    };
    return n % 2 === 0 ? [opened, closed] : [opened];
  });
  town.ingestEvents(events);
}
// The tick applies at most 50,000 records to the per-bead totals at a time.
for (let i = 0; i < 4; i++) town.tick();
const time = (name: string, f: () => unknown) => console.log(`${name}: ${meanMs(f).toFixed(1)} ms`);
for (const sort of ['cost', 'tokens'] as const) {
  time(`beads.list all time by ${sort}, first page of 50`, () => town.beads({ sort }));
  let cursor: string | undefined;
  for (let p = 0; p < 100; p++) cursor = town.beads({ sort, limit: 200, cursor }).nextCursor ?? undefined;
  time(`beads.list all time by ${sort}, a page past 20,000 beads`, () => town.beads({ sort, cursor }));
}

const week = { from: T0 - 3 * DAY, to: T0 + 4 * DAY };
const shapes: [string, BeadsQuery][] = [
  ['all time, status closed', { status: 'closed' }],
  ['all time, by duration', { sort: 'duration' }],
  ['all time, by closedAt', { sort: 'closedAt' }],
  ['7 days, by cost', week],
  ['7 days, status open', { ...week, status: 'open' }],
];
for (const [name, q] of shapes) {
  const keyed = () => listBeadsKeyed(town.sql, now.t, q);
  const sql = () => town.beads(q);
  if (JSON.stringify(keyed()) !== JSON.stringify(sql())) throw new Error(`${name}: the page differs from the reference`);
  // Alternate the two, so both see the same machine state.
  const times = { keyed: 0, sql: 0 };
  const rounds = 3;
  for (let r = 0; r < rounds; r++) {
    times.keyed += meanMs(keyed, 2) / rounds;
    times.sql += meanMs(sql, 2) / rounds;
  }
  console.log(
    `beads.list ${name}: keyed in JS ${times.keyed.toFixed(1)} ms, in SQL ${times.sql.toFixed(1)} ms (${(times.keyed / times.sql).toFixed(1)}×)`,
  );
}
