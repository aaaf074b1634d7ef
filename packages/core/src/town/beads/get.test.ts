import { fileTown, usageRecord } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { MAX_ROLLUP_BEADS } from './get.js';

const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);
const bead = (id: string, beadId: string, parentId?: string) => ({
  id,
  at: T0,
  type: 'bead' as const,
  beadId,
  status: 'open' as const,
  ...(parentId === undefined ? {} : { parentId }),
});

describe('beads.get', () => {
  it('answers for a parent named only by its children, with their cost rolled up', () => {
    const town = fileTown({ t: T0 });
    town.ingestEvents([bead('e1', 'c1', 'convoy'), bead('e2', 'c2', 'convoy')]);
    town.ingestUsage([usageRecord({ id: 'u1', at: T0, beadId: 'c1', costMicrodollars: 7 })]);
    const convoy = town.bead('convoy');
    expect(convoy?.children.map((c) => c.beadId)).toEqual(['c1', 'c2']);
    expect(convoy?.rollup).toMatchObject({ costMicrodollars: 7, beads: 3, truncated: false });
    expect(town.bead('nobody')).toBeUndefined();
  });

  it('rolls up through cycles of parents once, and cuts a long chain at MAX_ROLLUP_BEADS', () => {
    const town = fileTown({ t: T0 });
    // self → self; a → b → a; a chain x0 ← x1 ← … longer than the roll-up takes, closed into a cycle.
    const n = MAX_ROLLUP_BEADS + 500;
    town.ingestEvents([
      bead('s', 'self', 'self'),
      bead('a', 'A', 'B'),
      bead('b', 'B', 'A'),
      ...Array.from({ length: n }, (_, i) => bead(`x${i}`, `x${i}`, `x${(i + n - 1) % n}`)),
    ]);
    town.ingestUsage([
      usageRecord({ id: 'u1', at: T0, beadId: 'A', costMicrodollars: 1 }),
      usageRecord({ id: 'u2', at: T0, beadId: 'B', costMicrodollars: 2 }),
    ]);
    expect(town.bead('self')?.rollup).toMatchObject({ beads: 1, truncated: false });
    expect(town.bead('A')?.rollup).toMatchObject({ costMicrodollars: 3, beads: 2, truncated: false });
    expect(town.bead('x0')?.rollup).toMatchObject({ beads: 1 + MAX_ROLLUP_BEADS, truncated: true });
  });
});
