import { type LoggedStatement, loggingTown, usageRecord } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
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
