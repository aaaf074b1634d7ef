import { fileTown, usageRecord } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import type { AgentRow } from './agents.js';

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
});
