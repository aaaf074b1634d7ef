import { join } from 'node:path';
import { openSqlite } from '@gasgauge/server/sqlite';
import { tempDir } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { migrate } from '../migrate.js';
import { TOWN_MIGRATIONS } from './schema.js';
import { Town } from './town.js';

const T0 = Date.UTC(2026, 10, 1, 12);

describe('town migrations', () => {
  it('upgrade a version-2 town in place: the 10-minute tier is filled from the 1-minute tier', () => {
    const file = join(tempDir(), 'town.sqlite');
    const sql = openSqlite(file);
    migrate(sql, TOWN_MIGRATIONS.slice(0, 2), T0);
    for (const [t, samples, working, input] of [
      [T0, 1, 2, 100],
      [T0 + 60_000, 2, 6, 50],
      [T0 + 600_000, 1, 1, 7],
    ] as const) {
      sql.run(
        'INSERT INTO rollup_1m (t, samples, agents_working, agents_working_max, input_tokens) VALUES (?, ?, ?, ?, ?)',
        t,
        samples,
        working,
        working,
        input,
      );
    }
    sql.close();

    const now = T0 + 3_600_000;
    const town = new Town(openSqlite(file), () => now);
    expect(
      town.sql.rows('SELECT t, samples, agents_working, agents_working_max, input_tokens FROM rollup_10m ORDER BY t'),
    ).toEqual([
      [T0, 3, 8, 6, 150],
      [T0 + 600_000, 1, 1, 1, 7],
    ]);
    // Running the migrations again changes nothing.
    expect(migrate(town.sql, TOWN_MIGRATIONS, now)).toEqual({ from: TOWN_MIGRATIONS.length, to: TOWN_MIGRATIONS.length });
    expect(town.sql.rows('SELECT COUNT(*) FROM rollup_10m')).toEqual([[2]]);
  });
});

describe('town migration 17: a bead follows its events', () => {
  it('settles each bead again from its events, moving the beads_closed counters with each closed_at changed; again it changes nothing', () => {
    const HOUR = 3_600_000;
    const file = join(tempDir(), 'town.sqlite');
    const now = T0 + 5 * HOUR;
    const bead = (id: string, beadId: string, at: number, status: 'open' | 'in_progress' | 'closed') =>
      ({ id, at, type: 'bead', beadId, status }) as const;
    const town = new Town(openSqlite(file), () => now);
    town.ingestEvents([
      // b1 reopened, b2 reopened and closed again, b3 closed once, b4 a tie at one millisecond (the open is newer by id).
      ...[bead('1a', 'b1', T0, 'open'), bead('1b', 'b1', T0 + HOUR, 'closed'), bead('1c', 'b1', T0 + 2 * HOUR, 'in_progress')],
      ...[
        bead('2a', 'b2', T0 + HOUR, 'closed'),
        bead('2b', 'b2', T0 + 2 * HOUR, 'open'),
        bead('2c', 'b2', T0 + 3 * HOUR, 'closed'),
      ],
      bead('3a', 'b3', T0 + HOUR, 'closed'),
      ...[bead('4a', 'b4', T0 + 4 * HOUR, 'closed'), bead('4b', 'b4', T0 + 4 * HOUR, 'open')],
    ]);
    // An agent whose late event named a bead its newer event (naming none) did not clear.
    town.ingestEvents([
      { id: 'a2', at: T0 + 2 * HOUR, type: 'agent', agentId: 'p1', status: 'stalled' },
      { id: 'a1', at: T0 + HOUR, type: 'agent', agentId: 'p1', status: 'working', beadId: 'b1' },
    ]);
    const read = () => ({
      agents: town.sql.rows('SELECT id, status, bead_id FROM agents'),
      beads: town.sql.rows('SELECT id, status, status_at, closed_at FROM beads ORDER BY id'),
      closes: ['snapshots', 'rollup_1m', 'rollup_10m', 'rollup_1h'].map((table) =>
        town.sql.rows(`SELECT t, beads_closed FROM ${table} WHERE beads_closed <> 0 ORDER BY t`),
      ),
    });
    const settled = read();
    expect(settled.agents).toEqual([['p1', 'stalled', 'b1']]);
    expect(settled.beads).toEqual([
      ['b1', 'in_progress', T0 + 2 * HOUR, null],
      ['b2', 'closed', T0 + 3 * HOUR, T0 + 3 * HOUR],
      ['b3', 'closed', T0 + HOUR, T0 + HOUR],
      ['b4', 'open', T0 + 4 * HOUR, null],
    ]);
    expect(settled.closes[3]).toEqual([
      [T0 + HOUR, 1],
      [T0 + 3 * HOUR, 1],
    ]);
    // The rows and counters as version 16 left them: closed at the earliest close, a tie to the last arrival, the late bead lost.
    town.sql.run('UPDATE beads SET closed_at = ? WHERE id IN (?, ?)', T0 + HOUR, 'b1', 'b2');
    town.sql.run("UPDATE beads SET status = 'closed', closed_at = ? WHERE id = 'b4'", T0 + 4 * HOUR);
    town.sql.run("UPDATE agents SET bead_id = NULL WHERE id = 'p1'");
    for (const [table, ms] of [
      ['snapshots', 5_000],
      ['rollup_1m', 60_000],
      ['rollup_10m', 600_000],
      ['rollup_1h', HOUR],
    ] as const) {
      town.sql.run(`UPDATE ${table} SET beads_closed = beads_closed + 2 WHERE t = ?`, Math.floor((T0 + HOUR) / ms) * ms);
      town.sql.run(`UPDATE ${table} SET beads_closed = beads_closed - 1 WHERE t = ?`, Math.floor((T0 + 3 * HOUR) / ms) * ms);
      town.sql.run(
        `INSERT INTO ${table} (t, beads_closed) VALUES (?, 1) ON CONFLICT (t) DO UPDATE SET beads_closed = beads_closed + 1`,
        Math.floor((T0 + 4 * HOUR) / ms) * ms,
      );
    }
    town.sql.run('DELETE FROM schema_migrations WHERE version >= 17');
    expect(migrate(town.sql, TOWN_MIGRATIONS, now).from).toBe(16);
    expect(read()).toEqual(settled);
    town.sql.run('DELETE FROM schema_migrations WHERE version >= 17');
    migrate(town.sql, TOWN_MIGRATIONS, now);
    expect(read()).toEqual(settled);
  });
});

describe('town migration 19: an agent follows its events', () => {
  it('settles each agent from its stored events (ties by event id, the newest role given), keeps one whose events were pruned; again it changes nothing', () => {
    const HOUR = 3_600_000;
    const file = join(tempDir(), 'town.sqlite');
    const sql = openSqlite(file);
    migrate(sql, TOWN_MIGRATIONS.slice(0, 18), T0);
    const agentEvent = (id: string, at: number, status: string, more: { role?: string; beadId?: string } = {}) => {
      const body = { id, at, type: 'agent', agentId: 'p1', status, ...more };
      sql.run(
        'INSERT INTO events (id, at, type, agent_id, bead_id, status, body) VALUES (?, ?, ?, ?, ?, ?, ?)',
        id,
        at,
        'agent',
        'p1',
        more.beadId ?? null,
        status,
        JSON.stringify(body),
      );
      if (more.beadId !== undefined || status === 'idle')
        sql.run(
          'INSERT INTO agent_beads (agent_id, at, event_id, bead_id) VALUES (?, ?, ?, ?)',
          'p1',
          at,
          id,
          more.beadId ?? null,
        );
    };
    // p1: a role given only by its oldest event (which arrived last), and a tie at T0 + 2 h that went to the
    // last arrival (2a, working on b1), not to the newer by id (2b, idle).
    agentEvent('1', T0 + HOUR, 'working', { role: 'polecat' });
    agentEvent('2b', T0 + 2 * HOUR, 'idle');
    agentEvent('2a', T0 + 2 * HOUR, 'working', { beadId: 'b1' });
    // The rows as version 18 left them; p2's events are all pruned.
    sql.run("INSERT INTO agents VALUES ('p1', NULL, 'working', 'b1', ?, ?)", T0 + 2 * HOUR, T0 + 2 * HOUR);
    sql.run("INSERT INTO agents VALUES ('p2', 'witness', 'stalled', NULL, ?, ?)", T0, T0 + 10);
    sql.close();

    const town = new Town(openSqlite(file), () => T0 + 3 * HOUR);
    const read = () =>
      town.sql.rows(
        'SELECT id, role, status, bead_id, status_at, last_seen_at, status_event_id, role_at, role_event_id FROM agents ORDER BY id',
      );
    const settled = read();
    expect(settled).toEqual([
      ['p1', 'polecat', 'idle', null, T0 + 2 * HOUR, T0 + 2 * HOUR, '2b', T0 + HOUR, '1'],
      ['p2', 'witness', 'stalled', null, T0, T0 + 10, null, null, null],
    ]);
    town.sql.run('DELETE FROM schema_migrations WHERE version >= 19'); // 19 again, and the steps after it
    expect(migrate(town.sql, TOWN_MIGRATIONS, T0).from).toBe(18);
    expect(read()).toEqual(settled);

    // Any later event orders after p2's pruned one; ingest goes on by event order (p1's '0' is older than '2b'
    // at one time, but its role is the newest given).
    town.ingestEvents([
      { id: 'x', at: T0, type: 'agent', agentId: 'p2', status: 'working', role: 'refinery' },
      { id: '0', at: T0 + 2 * HOUR, type: 'agent', agentId: 'p1', status: 'working', role: 'witness' },
    ]);
    expect(town.sql.rows('SELECT id, role, status FROM agents ORDER BY id')).toEqual([
      ['p1', 'witness', 'idle'],
      ['p2', 'refinery', 'working'],
    ]);
  });
});
