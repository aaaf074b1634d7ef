import { fileTown } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import type { TownEvent } from './events.js';
import { FEED_NOTE_DATA_CHARS, type FeedEvent } from './feed.js';

const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);
const note = (id: string, at: number, data?: unknown): TownEvent => ({ id, at, type: 'note', name: 'n', data });

describe('the event feed, a page at a time', () => {
  it('walks every event once, newest first, across pages that split equal times', () => {
    const town = fileTown({ t: T0 + 60_000 });
    // 23 events over 5 distinct times: pages of 4 cut through runs of equal `at`.
    const events = Array.from({ length: 23 }, (_, i) => note(`e${String(i).padStart(2, '0')}`, T0 + (i % 5) * 1000));
    town.ingestEvents(events);
    const seen: FeedEvent[] = [];
    let cursor: string | undefined;
    for (let pages = 0; ; pages++) {
      expect(pages).toBeLessThan(10);
      const page = town.events({ limit: 4, ...(cursor === undefined ? {} : { cursor }) });
      seen.push(...page.events);
      if (page.nextCursor === null) break;
      expect(page.events).toHaveLength(4);
      cursor = page.nextCursor;
    }
    const expected = [...events].sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1)).map((e) => e.id);
    expect(seen.map((e) => e.id)).toEqual(expected);
  });

  it('says there is no next page when the last page is exactly full', () => {
    const town = fileTown({ t: T0 + 60_000 });
    town.ingestEvents([note('a', T0), note('b', T0 + 1)]);
    expect(town.events({ limit: 2 }).nextCursor).toBeNull();
    expect(town.events({ limit: 1 })).toMatchObject({ events: [{ id: 'b' }], nextCursor: `${T0 + 1}.b` });
  });

  it(`lists a note's data up to ${FEED_NOTE_DATA_CHARS} characters of JSON, and leaves bigger data to event(id)`, () => {
    const town = fileTown({ t: T0 + 60_000 });
    const fits = 'x'.repeat(FEED_NOTE_DATA_CHARS - 2); // "xx…x" with its quotes
    const over = 'x'.repeat(FEED_NOTE_DATA_CHARS - 1);
    const title = 't'.repeat(1000);
    town.ingestEvents([
      note('fits', T0 + 3, fits),
      note('over', T0 + 2, { text: over }),
      { id: 'bead', at: T0 + 1, type: 'bead', beadId: 'b', status: 'open', title },
    ]);
    const { events } = town.events();
    expect(events.map((e) => [e.id, e.dataOmitted])).toEqual([
      ['fits', false],
      ['over', true],
      ['bead', false],
    ]);
    expect(events[0]?.body).toMatchObject({ data: fits });
    expect(events[1]?.body).toEqual({ id: 'over', at: T0 + 2, type: 'note', name: 'n' });
    expect(events[2]?.body).toMatchObject({ title });
    expect(town.event('over')).toMatchObject({ id: 'over', dataOmitted: false, body: { data: { text: over } } });
    expect(town.event('nope')).toBeUndefined();
  });
});
