/**
 * beads.list over all time on a town of 100,000 beads (one usage record each, ticked): the first page and
 * a page deep in the list, by cost and by tokens. `npx tsx bench/beads-list-100k.ts`.
 */
import type { UsageRecord } from '@gasgauge/core';
import { fileTown, usageRecord } from '@gasgauge/server/testing';
import { meanMs } from './stats.js';

const T0 = Date.UTC(2026, 10, 1);
const BEADS = 100_000;
const now = { t: T0 + 86_400_000 };
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
