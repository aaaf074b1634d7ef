/**
 * beads.list over one hour that holds 300,000 beads (one usage record each, 12 ms apart; each opened,
 * every other one closed: bead-town.ts), ticked: the hour by cost and tokens, whole (bead_hours) and cut
 * at both ends (its records), and by duration and a status (which key the beads known only by status
 * events). Each page is checked equal to the keyed-in-JS reference (listBeadsKeyed) and timed.
 * `npx tsx bench/beads-hour.ts` (GG_BEADS_HOUR sets the beads, default 300,000).
 */
import type { BeadsQuery } from '@gasgauge/core';
import { listBeadsKeyed } from '@gasgauge/core/testing/beads-list-keyed';
import { beadTown, T0 } from './bead-town.js';
import { meanMs } from './stats.js';

const BEADS = Number(process.env.GG_BEADS_HOUR ?? 300_000);
const HOUR = 3_600_000;
const started = performance.now();
const { town, now } = beadTown(BEADS, Math.floor(HOUR / BEADS));
console.log(`filled in ${((performance.now() - started) / 1000).toFixed(0)} s`);
const shapes: [string, BeadsQuery][] = [
  ['the hour, by cost', { from: T0, to: T0 + HOUR }],
  ['the hour cut at both ends, by cost', { from: T0 + 7, to: T0 + HOUR - 7 }],
  ['the hour, by tokens', { from: T0, to: T0 + HOUR, sort: 'tokens' }],
  ['the hour, by duration', { from: T0, to: T0 + HOUR, sort: 'duration' }],
  ['the hour, status closed', { from: T0, to: T0 + HOUR, status: 'closed' }],
];
for (const [name, q] of shapes) {
  if (JSON.stringify(town.beads(q)) !== JSON.stringify(listBeadsKeyed(town.sql, now.t, q)))
    throw new Error(`${name}: the page differs from the reference`);
  console.log(`beads.list ${name}: ${meanMs(() => town.beads(q), 3).toFixed(1)} ms`);
}
