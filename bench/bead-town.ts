import type { Town, TownEvent, UsageRecord } from '@gasgauge/core';
import { fileTown, usageRecord } from '@gasgauge/server/testing';

export const T0 = Date.UTC(2026, 10, 1);
export const DAY = 86_400_000;

/**
 * A town of `beads` beads for the bead benches: one usage record each, `spacingMs` apart from T0; each bead
 * opened, every other one closed within 50 s of its record; ticked until the per-bead totals hold every
 * record (the tick applies at most 50,000 a time). Its clock stands a day after T0.
 */
export function beadTown(beads: number, spacingMs: number): { town: Town; now: { t: number } } {
  const now = { t: T0 + DAY };
  const town = fileTown(now);
  for (let i = 0; i < beads; i += 5_000) {
    const records: UsageRecord[] = Array.from({ length: Math.min(5_000, beads - i) }, (_, k) =>
      usageRecord({
        id: `u${i + k}`,
        at: T0 + (i + k) * spacingMs,
        beadId: `bead-${i + k}`,
        costMicrodollars: ((i + k) * 7919) % 100_003,
        inputTokens: ((i + k) * 104_729) % 50_021,
      }),
    );
    town.ingestUsage(records);
    const events: TownEvent[] = records.flatMap((_, k) => {
      const n = i + k;
      const opened: TownEvent = { id: `o${n}`, at: T0 + n, type: 'bead', beadId: `bead-${n}`, status: 'open' };
      const closedAt = T0 + n * spacingMs + ((n * 31) % 50_000);
      const closed: TownEvent = { id: `c${n}`, at: closedAt, type: 'bead', beadId: `bead-${n}`, status: 'closed' };
      return n % 2 === 0 ? [opened, closed] : [opened];
    });
    town.ingestEvents(events);
  }
  for (let i = 0; i < Math.ceil(beads / 50_000) * 2; i++) town.tick();
  return { town, now };
}
