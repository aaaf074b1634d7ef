import { fileTown } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';

const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);

describe('beads.list paging', () => {
  it('pages open beads by duration while the clock moves: every bead once', () => {
    const now = { t: T0 };
    const town = fileTown(now);
    // Ten open beads created at three times: equal durations, whose values grow with the clock.
    town.ingestEvents(
      Array.from({ length: 10 }, (_, i) => ({
        id: `e${i}`,
        at: T0 - 1000 * (i % 3),
        type: 'bead' as const,
        beadId: `b${i}`,
        status: 'open' as const,
      })),
    );
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      now.t += 50; // time passes between pages
      const page = town.beads({ sort: 'duration', limit: 3, cursor });
      seen.push(...page.items.map((b) => b.beadId));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(seen.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `b${i}`).sort());
  });

  it('still reads a cursor without a pinned now', () => {
    const now = { t: T0 };
    const town = fileTown(now);
    town.ingestEvents([{ id: 'e', at: T0, type: 'bead', beadId: 'a', status: 'open' }]);
    expect(town.beads({ cursor: '1:a' }).items.map((b) => b.beadId)).toEqual(['a']);
  });
});
