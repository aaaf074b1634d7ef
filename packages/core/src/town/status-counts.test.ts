import { join } from 'node:path';
import { openSqlite } from '@gasgauge/server/sqlite';
import { fileTown, tempDir } from '@gasgauge/server/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { migrate } from '../migrate.js';
import { AGENT_STATUSES, BEAD_STATUSES, type TownEvent } from './events.js';
import { TOWN_MIGRATIONS } from './schema.js';
import { Town } from './town.js';

const T0 = Date.UTC(2026, 10, 2, 12);

/** status_counts of `kind` as the triggers keep them, and as a count of the table says, both without zeros. */
function counts(town: Town, kind: 'agent' | 'bead') {
  const kept = town.sql.rows(`SELECT status, n FROM status_counts WHERE kind = ? AND n <> 0 ORDER BY status`, kind);
  const counted = town.sql.rows(`SELECT status, COUNT(*) FROM ${kind}s GROUP BY status ORDER BY status`);
  return { kept, counted };
}

const event = fc.oneof(
  fc.record({
    id: fc.constantFrom('e1', 'e2', 'e3', 'e4', 'e5', 'e6'),
    at: fc.integer({ min: T0 - 3, max: T0 }),
    type: fc.constant('agent' as const),
    agentId: fc.constantFrom('a', 'b', 'c'),
    status: fc.constantFrom(...AGENT_STATUSES),
  }),
  fc.record({
    id: fc.constantFrom('f1', 'f2', 'f3', 'f4', 'f5', 'f6'),
    at: fc.integer({ min: T0 - 3, max: T0 }),
    type: fc.constant('bead' as const),
    beadId: fc.constantFrom('x', 'y', 'z'),
    status: fc.constantFrom(...BEAD_STATUSES),
  }),
);

describe('agents and beads per status (status_counts, kept by triggers: migration 21)', () => {
  it('equal a count of the tables after any events in any order, ties and repeats included', () => {
    fc.assert(
      fc.property(fc.array(fc.array(event, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 6 }), (batches) => {
        const town = fileTown({ t: T0 + 1000 });
        for (const batch of batches) town.ingestEvents(batch as TownEvent[]);
        for (const kind of ['agent', 'bead'] as const) {
          const { kept, counted } = counts(town, kind);
          expect(kept).toEqual(counted);
        }
        // The gauges read them.
        const gauges = town.tick().gauges;
        expect(gauges.agents_total).toBe(town.sql.rows('SELECT COUNT(*) FROM agents')[0]?.[0]);
        expect(gauges.beads_open).toBe(town.sql.rows("SELECT COUNT(*) FROM beads WHERE status = 'open'")[0]?.[0]);
      }),
      { numRuns: 60 },
    );
  });

  it('are counted from the rows a town at version 20 has; run again, the step counts the same', () => {
    const file = join(tempDir(), 'town.sqlite');
    const sql = openSqlite(file);
    migrate(sql, TOWN_MIGRATIONS.slice(0, 20), T0);
    // The rows as version 20 left them (no counts kept).
    for (const [id, status] of [
      ['p1', 'working'],
      ['p2', 'working'],
      ['p3', 'dead'],
    ] as const)
      sql.run('INSERT INTO agents (id, status, status_at, last_seen_at) VALUES (?, ?, ?, ?)', id, status, T0 - 1000, T0 - 1000);
    for (const [id, status] of [
      ['gt-1', 'open'],
      ['gt-2', 'closed'],
    ] as const)
      sql.run('INSERT INTO beads (id, status, status_at, created_at) VALUES (?, ?, ?, ?)', id, status, T0 - 1000, T0 - 1000);
    sql.close();
    const town = new Town(openSqlite(file), () => T0);
    expect(town.schema.from).toBe(20);
    const settled = { agent: counts(town, 'agent').kept, bead: counts(town, 'bead').kept };
    expect(settled).toEqual({
      agent: [
        ['dead', 1],
        ['working', 2],
      ],
      bead: [
        ['closed', 1],
        ['open', 1],
      ],
    });
    town.sql.run('DELETE FROM schema_migrations WHERE version >= 21');
    expect(migrate(town.sql, TOWN_MIGRATIONS, T0).from).toBe(20);
    expect({ agent: counts(town, 'agent').kept, bead: counts(town, 'bead').kept }).toEqual(settled);
    // The triggers are there once, and count on.
    town.ingestEvents([{ id: '6', at: T0, type: 'agent', agentId: 'p3', status: 'idle' }]);
    expect(counts(town, 'agent').kept).toEqual([
      ['idle', 1],
      ['working', 2],
    ]);
    expect(town.throughput()).toMatchObject({ agentsActive: 2, agentsTotal: 3 });
  });
});
