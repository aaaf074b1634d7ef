import { fileTown, loggingTown, usageRecord } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { listAgentsScan } from '../testing/agents-scan.js';
import type { AgentRow, AgentsPage } from './agents.js';

const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);

describe('the agent list, a page at a time', () => {
  it('pages by id through agents with events and agents seen only through last hour’s usage', () => {
    const town = fileTown({ t: T0 + 600_000 });
    town.ingestEvents(
      ['a', 'c', 'e'].map((agentId, i) => ({
        id: `ev-${agentId}`,
        at: T0 + i,
        type: 'agent' as const,
        agentId,
        status: 'working' as const,
      })),
    );
    town.ingestUsage([
      usageRecord({ id: 'u1', agentId: 'b', inputTokens: 10, at: T0 }),
      usageRecord({ id: 'u2', agentId: 'd', inputTokens: 20, at: T0 }),
      usageRecord({ id: 'u3', agentId: 'c', inputTokens: 5, at: T0 }),
      usageRecord({ id: 'u4', agentId: 'old', inputTokens: 7, at: T0 - 2 * 3_600_000 }),
    ]);
    const pages: { agents: AgentRow[]; nextCursor: string | null }[] = [];
    let cursor: string | undefined;
    do {
      const page = town.agents({ limit: 2, ...(cursor === undefined ? {} : { cursor }) });
      pages.push(page);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined && pages.length < 10);
    expect(pages.map((p) => [p.agents.map((a) => a.id), p.nextCursor])).toEqual([
      [['a', 'b'], 'b'],
      [['c', 'd'], 'd'],
      [['e'], null],
    ]);
    const all = pages.flatMap((p) => p.agents);
    expect(all.find((a) => a.id === 'b')).toEqual({
      id: 'b',
      role: null,
      status: 'unknown',
      beadId: null,
      lastSeenAt: null,
      tokensLastHour: 10,
      costLastHourMicrodollars: 0,
      currentBeadId: null,
      currentBeadCostMicrodollars: null,
      runaway: null,
    });
    expect(all.find((a) => a.id === 'c')).toMatchObject({ status: 'working', lastSeenAt: T0 + 1, tokensLastHour: 5 });
    expect(town.agents().agents.map((a) => a.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('reads the hour a minute at a time: no statement of a page reads breakdown_1m by a range of time', () => {
    const now = { t: T0 };
    const { town, log } = loggingTown(now);
    town.ingestEvents([{ id: 'ev', at: T0 - 1000, type: 'agent', agentId: 'x', status: 'working' }]);
    town.ingestUsage(
      Array.from({ length: 90 }, (_, i) =>
        usageRecord({ id: `u${i}`, agentId: `a${i % 7}`, model: `m${i % 3}`, inputTokens: 3, at: T0 - i * 60_000 }),
      ),
    );
    log.length = 0;
    town.agents({ limit: 3 });
    town.agents({ limit: 3, cursor: 'a2' });
    const ran = log.splice(0);
    const ranges: string[] = [];
    for (const { statement, params } of ran) {
      for (const row of town.sql.rows(`EXPLAIN QUERY PLAN ${statement}`, ...(params as never[]))) {
        const detail = String(row.at(-1));
        // Over the hour's rows (the key starts with t): what a page read before, ~500,000 rows at one
        // ingest token's rate. Only the walk over the minutes (a MIN, one seek each) may seek by a range.
        if (/^(SCAN|SEARCH) (breakdown_1m|b)\b/.test(detail) && !/\bt=\?/.test(detail) && !/\bMIN\(t\)/.test(statement))
          ranges.push(`${detail}  ←  ${statement.replace(/\s+/g, ' ').slice(0, 120)}`);
      }
    }
    expect(ran.length).toBeGreaterThan(0);
    expect(ranges).toEqual([]);
  });

  it('answers as the scan of the hour did, page by page, ids in SQLite’s order', () => {
    const now = { t: T0 };
    const town = fileTown(now);
    // Ids around the surrogate pairs (JS's < orders them unlike SQLite), shared and not between the sources.
    const ids = ['a', 'b', 'c', '\u{e000}', '\u{1f600}', '\u{ffff}x', 'zz', 'a\u{10000}', 'a\u{fffd}', 'm', 'q'];
    town.ingestEvents(
      ids
        .filter((_, i) => i % 3 === 0)
        .map((agentId, i) => ({ id: `ev-${i}`, at: T0 - 1000, type: 'agent' as const, agentId, status: 'idle' as const })),
    );
    town.ingestUsage(
      Array.from({ length: 400 }, (_, i) =>
        usageRecord({
          id: `u${i}`,
          agentId: ids[(i * 7) % ids.length] as string,
          model: `m${i % 4}`,
          inputTokens: i,
          costMicrodollars: 2 * i,
          // Two hours back to now: some agents only before the hour, some rows in its first minute.
          at: T0 - Math.floor((i / 400) * 2 * 3_600_000) - 1,
        }),
      ),
    );
    for (const limit of [1, 2, 3, 5, 100]) {
      const pages = (list: (cursor: string | undefined) => AgentsPage) => {
        const out: AgentsPage[] = [];
        let cursor: string | undefined;
        do {
          const page = list(cursor);
          out.push(page);
          cursor = page.nextCursor ?? undefined;
        } while (cursor !== undefined && out.length < 20);
        return out;
      };
      const paged = pages((cursor) => town.agents({ limit, cursor }));
      expect(paged).toEqual(pages((cursor) => listAgentsScan(town.sql, now.t, { limit, cursor })));
      expect(paged.flatMap((p) => p.agents).length).toBeGreaterThan(ids.length / 2);
    }
  });
});
