import { join } from 'node:path';
import { openSqlite } from '@gasgauge/server/sqlite';
import { tempDir } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { migrate } from '../migrate.js';
import { Control } from './control.js';
import { MAX_ORGS_CREATED_PER_USER } from './quota.js';
import { CONTROL_MIGRATIONS } from './schema.js';

describe('organisations created per user, in a control database made before the creator was recorded', () => {
  it('the upgrade names each organisation’s first member its creator, so the quota counts them', () => {
    const sql = openSqlite(join(tempDir('gg-orgs-quota-'), 'control.sqlite'));
    migrate(
      sql,
      CONTROL_MIGRATIONS.filter((m) => m.version <= 5),
      1,
    );
    const user = (id: string) => sql.run('INSERT INTO users (id, name, is_admin, created_at) VALUES (?, ?, 0, 1)', id, id);
    user('u_ada');
    user('u_bob');
    // Ada created every one of them; in each, bob was made an owner later and ada stepped down.
    for (let i = 0; i < MAX_ORGS_CREATED_PER_USER; i++) {
      sql.run('INSERT INTO organizations (id, name, created_at) VALUES (?, ?, ?)', `o${i}`, `org ${i}`, 10 + i);
      sql.run("INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (?, 'u_ada', 'member', ?)", `o${i}`, 10 + i);
      sql.run("INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (?, 'u_bob', 'owner', ?)", `o${i}`, 100 + i);
    }

    const control = new Control(sql, () => 1000);
    expect(sql.rows('SELECT DISTINCT created_by FROM organizations')).toEqual([['u_ada']]);
    expect(() => control.orgs.create('o_ada', 'one more', 'u_ada')).toThrow(/organisation limit reached/);
    expect(control.orgs.create('o_bob', 'bobs own', 'u_bob').name).toBe('bobs own');
  });
});
