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
