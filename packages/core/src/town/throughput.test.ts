import { fileTown, loggingTown, usageRecord } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { BEADS_WINDOW_MS, THROUGHPUT_WINDOW_MS } from './throughput.js';

const MIN = 60_000;

describe('throughput', () => {
  it('counts beads closed over the last hour, tokens and cost over the last 5 minutes', () => {
    const T = Date.UTC(2026, 10, 1, 12);
    const now = { t: T };
    const town = fileTown(now);
    const closed = (beadId: string, at: number) => ({
      id: `${beadId}-closed`,
      at,
      type: 'bead' as const,
      beadId,
      status: 'closed' as const,
    });
    town.ingestEvents([closed('b-outside', T - 61 * MIN), closed('b-hour', T - 40 * MIN), closed('b-now', T - 2 * MIN)]);
    town.tick();
    const t = town.throughput();
    expect(t.windowMs).toBe(THROUGHPUT_WINDOW_MS);
    expect(t.beadsWindowMs).toBe(BEADS_WINDOW_MS);
    // Two in the last hour: 2 an hour (over 5 minutes alone, the one at T − 2 min read as 12 an hour).
    expect(t.beadsClosedPerHour).toBe(2);
  });

  it('counts an agent seen only through usage as working while it had usage in the last 5 minutes, everywhere alike', () => {
    const T = Date.UTC(2026, 10, 1, 12);
    const now = { t: T };
    const town = fileTown(now);
    // An agent with events says what it is doing (idle, even with usage); 'claude/alpha' and 'codex/beta' have
    // usage alone, one of them 6 minutes ago.
    town.ingestEvents([{ id: 'ev-1', at: T - 10 * MIN, type: 'agent', agentId: 'mayor', status: 'idle' }]);
    town.ingestUsage([
      usageRecord({ id: 'u1', agentId: 'mayor', inputTokens: 10, at: T - MIN }),
      usageRecord({ id: 'u2', agentId: 'claude/alpha', inputTokens: 20, at: T - 2 * MIN }),
      usageRecord({ id: 'u3', agentId: 'claude/alpha', inputTokens: 20, at: T - MIN }),
      usageRecord({ id: 'u4', agentId: 'codex/beta', inputTokens: 5, at: T - 6 * MIN }),
    ]);
    town.tick();
    expect(town.throughput()).toMatchObject({ agentsActive: 1, agentsTotal: 2 });
    // The Prometheus gauges and the sampled ones count the same.
    const agents = new Map(town.totals().agents);
    expect([agents.get('working'), agents.get('idle')]).toEqual([1, 1]);
    // Five minutes after its last usage it is no longer counted.
    now.t = T + 5 * MIN;
    expect(town.throughput()).toMatchObject({ agentsActive: 0, agentsTotal: 1 });
  });

  it('recounts usage-only agents after any write and when the window moves, and only then', () => {
    const T = Date.UTC(2026, 10, 1, 12);
    const now = { t: T };
    const town = fileTown(now);
    town.ingestUsage([usageRecord({ id: 'u1', agentId: 'solo', inputTokens: 10, at: T - MIN })]);
    expect(town.throughput().agentsActive).toBe(1);
    // A new usage-only agent: a write, so the next read counts again.
    town.ingestUsage([usageRecord({ id: 'u2', agentId: 'second', inputTokens: 10, at: T - MIN })]);
    expect(town.throughput().agentsActive).toBe(2);
    // An agent event turns 'second' into an agent with a status (idle): counted once, not as usage-only too.
    town.ingestEvents([{ id: 'ev', at: T - 30_000, type: 'agent', agentId: 'second', status: 'idle' }]);
    expect(town.throughput()).toMatchObject({ agentsActive: 1, agentsTotal: 2 });
    // No write, the window moved past 'solo''s minute: not working any more.
    now.t = T + 4 * MIN;
    expect(town.throughput()).toMatchObject({ agentsActive: 0, agentsTotal: 1 });
  });

  it('the readers of one push share one count of agents by status: it reads the agents again only after a write', () => {
    const T = Date.UTC(2026, 10, 1, 12);
    const now = { t: T };
    const { town, log } = loggingTown(now);
    const agentEvents = (ids: string[], status: 'working' | 'idle') =>
      town.ingestEvents(
        // Going idle after working: an event at the same time would be ordered by its id, not its arrival.
        ids.map((id) => ({
          id: `ev-${id}-${status}`,
          at: T - (status === 'working' ? 1000 : 500),
          type: 'agent' as const,
          agentId: id,
          status,
        })),
      );
    agentEvents(['a', 'b', 'c'], 'working');
    const countsRead = () => log.filter((s) => s.statement.includes("FROM status_counts WHERE kind = 'agent'")).length;
    log.length = 0;
    // 100 live subscribers re-read throughput on one push: one count between them.
    for (let i = 0; i < 100; i++) expect(town.throughput()).toMatchObject({ agentsActive: 3, agentsTotal: 3 });
    expect(countsRead()).toBe(1);
    // A write (b goes idle) is counted by the next reader, and by it alone.
    agentEvents(['b'], 'idle');
    for (let i = 0; i < 100; i++) expect(town.throughput()).toMatchObject({ agentsActive: 2, agentsTotal: 3 });
    expect(countsRead()).toBe(2);
  });
});
