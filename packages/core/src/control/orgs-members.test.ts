import { join } from 'node:path';
import { openSqlite } from '@gasgauge/server/sqlite';
import { tempDir } from '@gasgauge/server/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { migrate } from '../migrate.js';
import { Control } from './control.js';
import { MEMBERS_PAGE } from './orgs.js';
import { CONTROL_MIGRATIONS } from './schema.js';

const open = () => openSqlite(join(tempDir('gg-org-members-'), 'control.sqlite'));

describe('orgs.members pages by user name', () => {
  it('a page is read from the (org_id, user_name) index: no scan of the members, no sort', () => {
    const control = new Control(open(), () => 1);
    const plan = control.sql.rows(`EXPLAIN QUERY PLAN ${MEMBERS_PAGE}`, 'o', '', 101).map((r) => String(r.at(-1)));
    expect(plan).toEqual([
      expect.stringMatching(/^SEARCH memberships USING INDEX memberships_org_name \(org_id=\? AND user_name>\?\)$/),
    ]);
  });

  it('any page size reads every member once, in the order SQLite sorts the names, and no one else', () => {
    // Any valid user name (names.ts): upper before lower case, and spaces and dots before letters.
    const name = fc.stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9._-]| [A-Za-z0-9._-]){0,5}$/);
    fc.assert(
      fc.property(fc.uniqueArray(name, { minLength: 0, maxLength: 40 }), fc.integer({ min: 1, max: 7 }), (names, limit) => {
        const sql = open();
        const control = new Control(sql, () => 1);
        control.createUser('u_owner', 'owner');
        control.createUser('u_other', 'zz outsider');
        control.orgs.create('o1', 'one', 'u_owner');
        control.orgs.create('o2', 'two', 'u_other');
        for (const [i, n] of names.entries()) {
          if (n === 'owner' || n === 'zz outsider') continue;
          control.createUser(`u${i}`, n);
          control.orgs.setMember('o1', `u${i}`, 'member');
        }
        const seen: string[] = [];
        let after: string | undefined;
        for (;;) {
          const page = control.orgs.members('o1', { limit, after });
          expect(page.members.length).toBeLessThanOrEqual(limit);
          seen.push(...page.members.map((m) => m.userName));
          if (page.nextCursor === null) break;
          expect(page.members).toHaveLength(limit);
          after = page.nextCursor;
        }
        const expected = control.sql
          .rows("SELECT u.name FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.org_id = 'o1' ORDER BY u.name")
          .map((r) => r[0]);
        expect(seen).toEqual(expected);
        sql.close();
      }),
      { numRuns: 60 },
    );
  });

  it('the upgrade copies each existing member’s name, so a database made before it pages them all', () => {
    const sql = open();
    migrate(
      sql,
      CONTROL_MIGRATIONS.filter((m) => m.version <= 7),
      1,
    );
    for (const [id, name] of [
      ['u_a', 'ada'],
      ['u_b', 'bob'],
      ['u_c', 'cy'],
    ] as const)
      sql.run('INSERT INTO users (id, name, is_admin, created_at) VALUES (?, ?, 0, 1)', id, name);
    sql.run("INSERT INTO organizations (id, name, created_at, created_by) VALUES ('o1', 'one', 1, 'u_c')");
    for (const id of ['u_c', 'u_a', 'u_b'])
      sql.run("INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ('o1', ?, 'owner', 1)", id);
    const control = new Control(sql, () => 2);
    const first = control.orgs.members('o1', { limit: 2 });
    expect(first).toEqual({
      members: [expect.objectContaining({ userName: 'ada', userId: 'u_a' }), expect.objectContaining({ userName: 'bob' })],
      nextCursor: 'bob',
    });
    expect(control.orgs.members('o1', { limit: 2, after: 'bob' })).toEqual({
      members: [{ orgId: 'o1', userId: 'u_c', role: 'owner', createdAt: 1, userName: 'cy' }],
      nextCursor: null,
    });
    expect(control.orgs.memberByName('o1', 'bob')?.userId).toBe('u_b');
    expect(control.orgs.memberByName('o1', 'nobody')).toBeUndefined();
  });
});
