import { join } from 'node:path';
import { openSqlite } from '@gasgauge/server/sqlite';
import { tempDir } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { migrate } from '../migrate.js';
import { breakdownScan } from '../testing/breakdown-scan.js';
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
    expect(migrate(town.sql, TOWN_MIGRATIONS, now)).toBe(TOWN_MIGRATIONS.length);
    expect(town.sql.rows('SELECT COUNT(*) FROM rollup_10m')).toEqual([[2]]);
  });

  it('upgrade a version-14 town in place: the 1-hour breakdown table gains its agent index, and breakdowns read the same', () => {
    const file = join(tempDir(), 'town.sqlite');
    const sql = openSqlite(file);
    migrate(sql, TOWN_MIGRATIONS.slice(0, 14), T0);
    const HOUR = 3_600_000;
    for (const [h, agent, model, tokens, cost] of [
      [0, 'a', 'm1', 10, 1],
      [0, 'b', 'm1', 20, 2],
      [1, 'a', 'm2', 30, 3],
      [2, 'c', 'm2', 40, 4],
    ] as const) {
      sql.run(
        'INSERT INTO breakdown_1h (t, agent_id, model, tokens, cost_microdollars) VALUES (?, ?, ?, ?, ?)',
        T0 + h * HOUR,
        agent,
        model,
        tokens,
        cost,
      );
      sql.run(
        `INSERT INTO rollup_1h (t, input_tokens, cost_microdollars) VALUES (?, ?, ?)
         ON CONFLICT (t) DO UPDATE SET input_tokens = input_tokens + excluded.input_tokens,
           cost_microdollars = cost_microdollars + excluded.cost_microdollars`,
        T0 + h * HOUR,
        tokens,
        cost,
      );
    }
    const now = T0 + 40 * 86_400_000;
    const q = { from: T0, to: T0 + 3 * HOUR, maxPoints: 3, by: 'agent' as const, metric: 'tokens' as const, limit: 1 };
    const before = breakdownScan(sql, q, now);
    expect(before).toEqual({
      step: HOUR,
      t: [T0, T0 + HOUR, T0 + 2 * HOUR],
      series: [{ key: 'a', values: [10, 30, 0] }],
      other: { keys: 2, values: [20, 0, 40] },
    });
    sql.close();

    const town = new Town(openSqlite(file), () => now);
    expect(
      town.sql.rows("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND name LIKE 'breakdown%' ORDER BY name"),
    ).toEqual([['breakdown_1h_agent_id', 'breakdown_1h']]);
    expect(town.breakdown(q)).toEqual(before);
    // Running the migrations again changes nothing.
    expect(migrate(town.sql, TOWN_MIGRATIONS, now)).toBe(TOWN_MIGRATIONS.length);
    expect(town.breakdown(q)).toEqual(before);
  });
});
