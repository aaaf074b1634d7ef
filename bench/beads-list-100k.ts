/**
 * beads.list on a town of 100,000 beads (one usage record each, ticked; each opened, every other one
 * closed): over all time by cost and by tokens, the first page and a page deep in the list (bead_totals
 * in sort order); then the shapes keyed in one SQL statement (status, duration, closedAt, a range),
 * timed against the keyed-in-JS reference (listBeadsKeyed) in alternation on the same town, and checked
 * equal to it. `npx tsx bench/beads-list-100k.ts`.
 */
import type { BeadsQuery } from '@gasgauge/core';
import { listBeadsKeyed } from '@gasgauge/core/testing/beads-list-keyed';
import { beadTown, DAY, T0 } from './bead-town.js';
import { alternatedMeanMs, meanMs } from './stats.js';

const { town, now } = beadTown(100_000, 1);
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
  const [keyedMs, sqlMs] = alternatedMeanMs(keyed, sql);
  console.log(
    `beads.list ${name}: keyed in JS ${keyedMs.toFixed(1)} ms, in SQL ${sqlMs.toFixed(1)} ms (${(keyedMs / sqlMs).toFixed(1)}×)`,
  );
}
