import { fileTown, loggingTown, usageRecord } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { MAX_ROLLUP_BEADS } from './get.js';
import { MAX_BEAD_AGENTS } from './rows.js';

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

describe('a bead many agents took', () => {
  it('reads its first agents by id for its page and its list row, not a row per agent', () => {
    const now = { t: T0 + 3 * 3_600_000 };
    const { town, log } = loggingTown(now);
    const AGENTS = 2_000;
    const holder = (i: number) => `h${String(i).padStart(4, '0')}`;
    const ids = Array.from({ length: AGENTS }, (_, i) => i);
    town.ingestEvents([
      bead('b', 'gt-1'),
      ...ids.map((i) => ({
        id: `e${i}`,
        at: T0 + i,
        type: 'agent' as const,
        agentId: holder(i),
        status: 'working' as const,
        beadId: 'gt-1',
      })),
    ]);
    for (let i = 0; i < AGENTS; i += 500)
      town.ingestUsage(
        ids.slice(i, i + 500).map((j) => usageRecord({ id: `u${j}`, agentId: holder(j), at: T0 + j + 1, costMicrodollars: 3 })),
      );
    // An agent that never took it but names it, first by id; and one that took another bead only.
    town.ingestUsage([usageRecord({ id: 'n', agentId: 'a-named', at: T0 + 5, beadId: 'gt-1', costMicrodollars: 4 })]);
    town.tick();
    const agents = ['a-named', ...ids.slice(0, MAX_BEAD_AGENTS - 1).map(holder)];
    const rowsOf = <T>(read: () => T): [T, number] => {
      log.length = 0;
      const r = read();
      return [r, log.reduce((s, l) => s + l.rows, 0)];
    };
    const [detail, getRows] = rowsOf(() => town.bead('gt-1'));
    expect(detail?.bead).toMatchObject({ costMicrodollars: AGENTS * 3 + 4, agents });
    expect(detail?.cost.cost.reduce((s: number, c) => s + (c ?? 0), 0)).toBe(AGENTS * 3 + 4);
    const [page, listRows] = rowsOf(() => town.beads({ limit: 1 }));
    expect(page.items[0]).toMatchObject({ beadId: 'gt-1', costMicrodollars: AGENTS * 3 + 4, agents });
    // Its agents come from bead_hours in agent order, read up to the first ones (migration 23), not grouped and sorted.
    const walks = log.filter((l) => l.statement.includes('FROM bead_hours') && !l.statement.includes('FROM bead_applied'));
    expect(walks.length).toBeGreaterThan(0);
    for (const { statement, params } of walks) {
      const plan = town.sql.rows(`EXPLAIN QUERY PLAN ${statement}`, ...(params as never[])).map((r) => String(r[3]));
      expect(plan.join('\n')).not.toMatch(/TEMP B-TREE|SCAN bead_hours/);
    }
    // The timeline's newest 500 and the cost's buckets remain; before, both reads took every agent twice (4,000 rows).
    expect(getRows).toBeLessThan(1_000);
    expect(listRows).toBeLessThan(100);
  });
});
