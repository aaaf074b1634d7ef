import { fileTown as newTown } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';

const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);

describe('events', () => {
  it('creates a bead on first report, counts one close, and is idempotent by id', () => {
    const now = { t: T0 };
    const town = newTown(now);
    const events = [
      { id: 'e1', at: T0, type: 'bead' as const, beadId: 'b1', status: 'open' as const, title: 'Fix it' },
      { id: 'e2', at: T0 + 1, type: 'bead' as const, beadId: 'b1', status: 'in_progress' as const },
      { id: 'e3', at: T0 + 2, type: 'bead' as const, beadId: 'b1', status: 'closed' as const },
      { id: 'e4', at: T0 + 3, type: 'agent' as const, agentId: 'a1', status: 'working' as const, role: 'polecat' },
      { id: 'e5', at: T0 + 4, type: 'note' as const, name: 'deploy', data: { ok: true } },
    ];
    expect(town.ingestEvents(events)).toEqual({ accepted: 5, duplicates: 0, tooOld: 0, skewed: 0 });
    expect(town.ingestEvents(events)).toEqual({ accepted: 0, duplicates: 5, tooOld: 0, skewed: 0 });
    const { gauges } = town.tick();
    expect(gauges).toMatchObject({ agents_working: 1, agents_total: 1, beads_open: 0, beads_in_progress: 0 });
    const ts = town.timeseries({ from: T0 - 5000, to: T0 + 5000, maxPoints: 2 });
    expect(ts.series.events).toEqual([null, 5]);
    expect(ts.series.beads_created).toEqual([null, 1]);
    expect(ts.series.beads_closed).toEqual([null, 1]);
  });

  it('keeps the newest status when an older event arrives late', () => {
    const now = { t: T0 + 10_000 };
    const town = newTown(now);
    town.ingestEvents([{ id: 'n', at: T0 + 5000, type: 'agent', agentId: 'a', status: 'stalled' }]);
    town.ingestEvents([{ id: 'o', at: T0, type: 'agent', agentId: 'a', status: 'working' }]);
    expect(town.tick().gauges).toMatchObject({ agents_stalled: 1, agents_working: 0 });
  });
});

describe('lines of code', () => {
  it('0/0 clears an agent and an expired report stops counting', () => {
    const now = { t: T0 };
    const town = newTown(now);
    town.ingestLoc([
      { agentId: 'a', additions: 10, deletions: 2 },
      { agentId: 'b', additions: 5, deletions: 1 },
    ]);
    expect(town.tick().gauges).toMatchObject({ loc_additions: 15, loc_deletions: 3 });
    town.ingestLoc([{ agentId: 'a', additions: 0, deletions: 0 }]);
    expect(town.throughput()).toMatchObject({ locAdditions: 5, locDeletions: 1 });
    now.t = T0 + 90_001;
    expect(town.tick().gauges).toMatchObject({ loc_additions: 0, loc_deletions: 0 });
  });
});
