/**
 * One bead with a huge status history (40 batches of 5,000 bead events, alternating statuses), then the
 * time of beads.get and beads.list; then the worst page the cap allows: 200 children of one parent, each
 * with MAX_BEAD_STATUS_EVENTS status events. `npx tsx bench/bead-history.ts`.
 */
import { MAX_BEAD_STATUS_EVENTS, type TownEvent } from '@gasgauge/core';
import { fileTown } from '@gasgauge/server/testing';
import { meanMs } from './stats.js';

const T0 = Date.UTC(2026, 10, 1);
const BATCHES = 40;
const PER_BATCH = 5_000;
const STATUSES = ['in_progress', 'in_review', 'open', 'blocked'] as const;

const now = { t: T0 + 86_400_000 };
const town = fileTown(now);
let ignored = 0;
for (let b = 0; b < BATCHES; b++) {
  const events: TownEvent[] = Array.from({ length: PER_BATCH }, (_, i) => {
    const n = b * PER_BATCH + i;
    return { id: `e${n}`, at: T0 + n, type: 'bead', beadId: 'hot', status: STATUSES[n % STATUSES.length] ?? 'open' };
  });
  const started = performance.now();
  ignored += town.ingestEvents(events).ignored;
  if (b === BATCHES - 1) console.log(`last ingest batch: ${(performance.now() - started).toFixed(1)} ms`);
}
town.tick();
const time = (name: string, f: () => unknown) => console.log(`${name}: ${meanMs(f).toFixed(1)} ms`);
console.log(`events ignored at ingest: ${ignored}`);
time('beads.get', () => town.bead('hot'));
time('beads.list', () => town.beads({}));

const full: TownEvent[] = [];
for (let c = 0; c < 200; c++) {
  for (let k = 0; k < MAX_BEAD_STATUS_EVENTS; k++) {
    const status = STATUSES[k % STATUSES.length] ?? 'open';
    full.push({ id: `c${c}-${k}`, at: T0 + k, type: 'bead', beadId: `child-${c}`, status, parentId: 'parent' });
  }
}
for (let i = 0; i < full.length; i += PER_BATCH) town.ingestEvents(full.slice(i, i + PER_BATCH));
time('beads.get of a parent with 200 full children', () => town.bead('parent'));
time('beads.list, a page of 200 full beads', () => town.beads({ limit: 200 }));
