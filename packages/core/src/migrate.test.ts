import { join } from 'node:path';
import { openSqlite } from '@gasgauge/server/sqlite';
import { tempDir } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { Control } from './control/control.js';
import { CONTROL_MIGRATIONS } from './control/schema.js';
import { migrate, SchemaTooNewError } from './migrate.js';
import { TOWN_MIGRATIONS } from './town/schema.js';
import { Town } from './town/town.js';

const T0 = Date.UTC(2026, 11, 1);

describe('migrate', () => {
  it('says which version a database had and has: new (0), upgraded, already current', () => {
    const sql = openSqlite(join(tempDir(), 'town.sqlite'));
    const latest = TOWN_MIGRATIONS.length;
    expect(migrate(sql, TOWN_MIGRATIONS.slice(0, 5), T0)).toEqual({ from: 0, to: 5 });
    expect(new Town(sql, () => T0).schema).toEqual({ from: 5, to: latest });
    expect(new Town(sql, () => T0).schema).toEqual({ from: latest, to: latest });
    sql.close();
  });

  // An older Gas Gauge on a data dir a newer one upgraded (a rollback): the newer steps' tables would
  // go stale under it, and the next upgrade would find those steps applied.
  it.each([
    ['town', TOWN_MIGRATIONS, (sql: ReturnType<typeof openSqlite>) => new Town(sql, () => T0)],
    ['control', CONTROL_MIGRATIONS, (sql: ReturnType<typeof openSqlite>) => new Control(sql, () => T0)],
  ] as const)('refuses a %s database written by a newer version, and applies nothing to it', (_name, migrations, open) => {
    const sql = openSqlite(join(tempDir(), 'db.sqlite'));
    migrate(sql, migrations, T0);
    const newer = migrations.length + 1;
    sql.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', newer, T0);
    const before = sql.rows('SELECT COUNT(*) FROM schema_migrations');

    let error: unknown;
    try {
      open(sql);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SchemaTooNewError);
    expect(error).toMatchObject({ version: newer, known: migrations.length });
    expect((error as Error).message).toBe(
      `the database has schema version ${newer}, newer than this Gas Gauge knows (${migrations.length}): a newer Gas Gauge wrote it. ` +
        'Run that version (or a later one), or restore a backup made by this one',
    );
    expect(sql.rows('SELECT COUNT(*) FROM schema_migrations')).toEqual(before);
    sql.close();
  });
});

describe('town step 15, released and then withdrawn', () => {
  it('a town that ran it (version 15, the agent index) opens, loses the index and reaches the latest version', () => {
    const sql = openSqlite(join(tempDir(), 'town.sqlite'));
    migrate(sql, TOWN_MIGRATIONS.slice(0, 14), T0);
    // What the withdrawn step did, as the version that had it left the file.
    sql.run('CREATE INDEX breakdown_1h_agent_id ON breakdown_1h (agent_id, t)');
    sql.run('INSERT INTO schema_migrations (version, applied_at) VALUES (15, ?)', T0);

    expect(new Town(sql, () => T0).schema).toEqual({ from: 15, to: TOWN_MIGRATIONS.length });
    expect(sql.rows("SELECT name FROM sqlite_master WHERE name = 'breakdown_1h_agent_id'")).toEqual([]);
    sql.close();
  });
});
