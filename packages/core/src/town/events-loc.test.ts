import { fileTown as newTown, usageRecord } from '@gasgauge/server/testing';
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
    expect(town.ingestEvents(events)).toEqual({ accepted: 5, duplicates: 0, ignored: 0, tooOld: 0, skewed: 0 });
    expect(town.ingestEvents(events)).toEqual({ accepted: 0, duplicates: 5, ignored: 0, tooOld: 0, skewed: 0 });
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

describe('bead counts do not depend on arrival order', () => {
  const open = { id: 'o', at: T0 + 10_000, type: 'bead' as const, beadId: 'b', status: 'open' as const };
  const close5 = { id: 'c5', at: T0 + 5_000, type: 'bead' as const, beadId: 'b', status: 'closed' as const };
  const close20 = { id: 'c20', at: T0 + 20_000, type: 'bead' as const, beadId: 'b', status: 'closed' as const };
  for (const order of [
    [close5, open, close20],
    [close20, open, close5],
    [open, close20, close5],
  ]) {
    it(`arrival ${order.map((e) => e.id).join(', ')}: one creation at the earliest report, one close at the close after the reopen`, () => {
      const now = { t: T0 + 60_000 };
      const town = newTown(now);
      for (const e of order) town.ingestEvents([e]);
      const ts = town.timeseries({ from: T0, to: T0 + 30_000, maxPoints: 6 });
      expect(ts.series.beads_created).toEqual([null, 1, 0, null, 0, null]);
      expect(ts.series.beads_closed).toEqual([null, 0, 0, null, 1, null]);
    });
  }
});

describe('retention edges', () => {
  it('a record in the oldest slot a tier still keeps is stored and read back, one older is tooOld', () => {
    const now = { t: T0 + 2_501 };
    const town = newTown(now);
    const edge = now.t - 400 * 86_400_000;
    const hourAfterEdge = Math.ceil(edge / 3_600_000) * 3_600_000;
    expect(town.ingestUsage([usageAt('in', hourAfterEdge, 42)])).toMatchObject({ accepted: 1, tooOld: 0 });
    expect(town.ingestUsage([usageAt('out', hourAfterEdge - 1, 7)])).toMatchObject({ accepted: 0, tooOld: 1 });
    const ts = town.timeseries({ from: hourAfterEdge, to: hourAfterEdge + 3_600_000, maxPoints: 1 });
    expect(ts.series.input_tokens).toEqual([42]);
  });
});

function usageAt(id: string, at: number, inputTokens: number) {
  return usageRecord({ id, at, inputTokens });
}

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
