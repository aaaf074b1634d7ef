import { type LoggedStatement, loggingTown, usageRecord } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { MAX_BEAD_STATUS_EVENTS } from '../events.js';
import { HOUR } from './totals.js';

const T0 = Date.UTC(2026, 10, 1, 0, 0, 0);
const RECORDS = 2_000;

/** Two days of usage: 5 agents switching among 50 beads every 10 records, a tenth naming their bead. */
function twoDays() {
  const now = { t: T0 + 48 * HOUR };
  const { town, log } = loggingTown(now);
  const at = (i: number) => T0 + Math.floor((i * 48 * HOUR) / RECORDS);
  town.ingestUsage(
    Array.from({ length: RECORDS }, (_, i) =>
      usageRecord({
        id: `u${i}`,
        agentId: `a${i % 5}`,
        at: at(i),
        costMicrodollars: 10,
        ...(i % 10 ? {} : { beadId: `b${i % 50}` }),
      }),
    ),
  );
  town.ingestEvents(
    Array.from({ length: RECORDS / 10 }, (_, k) => ({
      id: `e${k}`,
      at: at(k * 10),
      type: 'agent' as const,
      agentId: `a${k % 5}`,
      status: 'working' as const,
      beadId: `b${k % 50}`,
    })),
  );
  town.tick();
  log.length = 0;
  return { town, log };
}

/** The [from, to) of every read of records by time (recordsOf) among the statements. */
function recordRanges(log: readonly LoggedStatement[]): [number, number][] {
  const ranges: [number, number][] = [];
  const marker = 't.first_at >= ? AND t.first_at < ?';
  for (const { statement, params } of log) {
    for (let at = statement.indexOf(marker); at >= 0; at = statement.indexOf(marker, at + 1)) {
      const index = (statement.slice(0, at).match(/\?/g) ?? []).length;
      ranges.push([params[index] as number, params[index + 1] as number]);
    }
  }
  return ranges;
}

describe('bead reads', () => {
  it('read the per-bead totals, not the records: none over all time, at most the part-hours at a range’s ends', () => {
    const { town, log } = twoDays();
    const all = town.beads({ limit: 10 });
    town.beadStats();
    town.bead('b7');
    expect(all.items).toHaveLength(10);
    expect(recordRanges(log)).toEqual([]);

    log.length = 0;
    const from = T0 + 90 * 60_000 + 7;
    const to = T0 + 30 * HOUR + 5;
    town.beads({ from, to, limit: 10 });
    town.beadStats({ from, to });
    const ranges = recordRanges(log);
    expect(ranges.length).toBeGreaterThan(0);
    for (const [lo, hi] of ranges) expect(hi - lo).toBeLessThanOrEqual(HOUR);
  });
});

describe('a bead with a huge status history', () => {
  const STATUSES = ['in_progress', 'in_review', 'open', 'blocked'] as const;
  const statusEvent = (n: number, beadId: string, parentId?: string) => ({
    id: `${beadId}-${n}`,
    at: T0 + n,
    type: 'bead' as const,
    beadId,
    status: STATUSES[n % STATUSES.length] ?? 'open',
    ...(parentId === undefined ? {} : { parentId }),
  });

  it('keeps MAX_BEAD_STATUS_EVENTS status events a bead, ignores the next, and counts a re-sent one as a duplicate', () => {
    const { town } = loggingTown({ t: T0 + HOUR });
    const kept = Array.from({ length: MAX_BEAD_STATUS_EVENTS }, (_, n) => statusEvent(n, 'b'));
    expect(town.ingestEvents(kept.slice(0, -1))).toMatchObject({ accepted: MAX_BEAD_STATUS_EVENTS - 1, ignored: 0 });
    expect(town.ingestEvents(kept.slice(-1))).toMatchObject({ accepted: 1, ignored: 0 });
    expect(town.ingestEvents([statusEvent(MAX_BEAD_STATUS_EVENTS, 'b'), kept[0] as (typeof kept)[0]])).toMatchObject({
      accepted: 0,
      duplicates: 1,
      ignored: 1,
    });
    // Another bead has its own allowance.
    expect(town.ingestEvents([statusEvent(0, 'other')])).toMatchObject({ accepted: 1, ignored: 0 });
    // Attempts and time in status are those of the events kept: one in_progress every fourth.
    const detail = town.bead('b');
    expect(detail?.bead.attempts).toBe(MAX_BEAD_STATUS_EVENTS / STATUSES.length);
    expect(detail?.statusTime.in_progress).toBe(MAX_BEAD_STATUS_EVENTS / STATUSES.length);
  });

  it('bead reads take a bounded number of status events however many were posted', () => {
    const { town, log } = loggingTown({ t: T0 + HOUR });
    const posted = 10 * MAX_BEAD_STATUS_EVENTS;
    for (let i = 0; i < posted; i += 5_000) {
      town.ingestEvents(Array.from({ length: Math.min(5_000, posted - i) }, (_, k) => statusEvent(i + k, 'hot', 'parent')));
    }
    town.ingestEvents([statusEvent(0, 'sibling', 'parent')]);
    log.length = 0;
    town.bead('hot');
    town.bead('parent');
    town.beads({ limit: 200 });
    const statusRows = log
      .filter((s) => /FROM events\b/.test(s.statement) && s.statement.includes("type = 'bead'"))
      .reduce((sum, s) => sum + s.rows, 0);
    // hot's own (get: attempts and time in status; its timeline reads at most MAX_BEAD_TIMELINE more),
    // as a child of parent, and in the list page.
    expect(statusRows).toBeLessThanOrEqual(3 * MAX_BEAD_STATUS_EVENTS + 500 + 10);
  });
});

describe('beads.list over all time by cost or tokens', () => {
  it('reads a page from bead_totals in sort order: rows and plan of the page, not of every bead', () => {
    const now = { t: T0 + 48 * HOUR };
    const { town, log } = loggingTown(now);
    const BEADS = 3_000;
    for (let i = 0; i < BEADS; i += 1_000) {
      town.ingestUsage(
        Array.from({ length: 1_000 }, (_, k) =>
          usageRecord({
            id: `u${i + k}`,
            at: T0 + i + k,
            beadId: `b${i + k}`,
            costMicrodollars: (i + k) % 97,
            inputTokens: (i + k) % 89,
          }),
        ),
      );
    }
    town.tick();
    for (const sort of ['cost', 'tokens'] as const) {
      log.length = 0;
      const first = town.beads({ sort, limit: 10 });
      const second = town.beads({ sort, limit: 10, cursor: first.nextCursor ?? undefined });
      expect(second.items).toHaveLength(10);
      expect(log.reduce((sum, s) => sum + s.rows, 0)).toBeLessThan(200);
      let walks = 0;
      for (const { statement, params } of log.filter((s) => s.statement.includes('FROM bead_totals'))) {
        const plan = town.sql
          .rows(`EXPLAIN QUERY PLAN ${statement}`, ...(params as never[]))
          .map((r) => String(r[3]))
          .join('\n');
        // No statement scans the totals; those that walk them in sort order do not sort them either. The page's
        // amounts (bead_totals by key, with the pending records' corrections) group a page of rows.
        expect(plan).not.toMatch(/SCAN bead_totals$/m);
        if (statement.includes('ORDER BY') && !statement.includes('FROM bead_applied')) {
          expect(plan).not.toMatch(/TEMP B-TREE/);
          walks++;
        }
      }
      expect(walks).toBeGreaterThan(0);
    }
  });
});
