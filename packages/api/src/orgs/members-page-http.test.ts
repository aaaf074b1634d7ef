import { Control } from '@gasgauge/core';
import { DataDir, openSqlite } from '@gasgauge/server';
import { startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUsers } from '../testing/as-user.js';

/**
 * `orgs.members` answers a page (limit ≤ 500, default 100) by user name, and `orgs.list` and
 * `orgs.invitations` a page (≤ 100) by organisation name, over real HTTP.
 */
let s: TestServer;
const tokens = new Map<string, string>();
let org: string;
/** 'ann' and 600 members m000…m599: more than the largest page. */
const MEMBERS = 600;

const { mutate, query, ok } = asUsers(() => s, tokens);
const members = (input: object) => query('ann', 'orgs.members', { organizationId: org, ...input });
const names = (page: { members: { userName: string }[] }) => page.members.map((m) => m.userName);

beforeAll(async () => {
  s = await startTestServer();
  tokens.set('ann', (await s.addUser('ann')).token);
  tokens.set('zed', (await s.addUser('zed')).token);
  org = ok(await mutate('ann', 'orgs.create', { name: 'Big' })).id;
  const sql = openSqlite(new DataDir(s.dataDir).controlFile);
  try {
    const control = new Control(sql, Date.now);
    sql.transaction(() => {
      for (let i = 0; i < MEMBERS; i++) {
        const user = control.createUser(`usr_m${i}`, `m${String(i).padStart(3, '0')}`);
        control.orgs.setMember(org, user.id, 'member');
      }
    });
  } finally {
    sql.close();
  }
}, 30_000);
afterAll(() => s?.close());

describe('orgs.members pages', () => {
  it('answers 100 by default, 500 at most, and each page after the last name of the one before', async () => {
    const first = ok(await members({}));
    expect(names(first)).toEqual(['ann', ...Array.from({ length: 99 }, (_, i) => `m${String(i).padStart(3, '0')}`)]);
    expect(first.nextCursor).toBe('m098');
    const big = ok(await members({ limit: 500, after: first.nextCursor }));
    expect(names(big)).toHaveLength(500);
    expect(names(big)[0]).toBe('m099');
    const last = ok(await members({ limit: 500, after: big.nextCursor }));
    expect(names(last)).toEqual(['m599']);
    expect(last.nextCursor).toBeNull();
  });

  it('refuses a limit of 0 or 501 and an empty cursor', async () => {
    for (const input of [{ limit: 0 }, { limit: 501 }, { after: '' }]) {
      const r = await members(input);
      expect(r.status, JSON.stringify(input)).toBe(400);
    }
  });

  it('a role change finds a member past the first page (it is no invitation)', async () => {
    expect(ok(await mutate('ann', 'orgs.setMember', { organizationId: org, userName: 'm599', role: 'admin' }))).toEqual({
      orgId: org,
      userId: 'usr_m599',
      role: 'admin',
      createdAt: expect.any(Number),
    });
  });
});

describe('orgs.list and orgs.invitations page by organisation name', () => {
  it('answer at most `limit`, the next page after the last name', async () => {
    for (const name of ['Cog', 'Axe']) {
      const id = ok(await mutate('ann', 'orgs.create', { name })).id;
      ok(await mutate('ann', 'orgs.setMember', { organizationId: id, userName: 'zed', role: 'member' }));
    }
    ok(await mutate('ann', 'orgs.setMember', { organizationId: org, userName: 'zed', role: 'member' }));
    const orgNames = (r: { name: string }[]) => r.map((o) => o.name);
    expect(orgNames(ok(await query('ann', 'orgs.list', { limit: 2 })))).toEqual(['Axe', 'Big']);
    expect(orgNames(ok(await query('ann', 'orgs.list', { limit: 2, after: 'Big' })))).toEqual(['Cog']);
    expect(orgNames(ok(await query('ann', 'orgs.list')))).toEqual(['Axe', 'Big', 'Cog']);
    const first = ok(await query('zed', 'orgs.invitations', { limit: 2 }));
    expect(first.invitations.map((i: { orgName: string }) => i.orgName)).toEqual(['Axe', 'Big']);
    expect(first.nextCursor).toBe('Big');
    const rest = ok(await query('zed', 'orgs.invitations', { limit: 2, after: 'Big' }));
    expect(rest).toEqual({ invitations: [expect.objectContaining({ orgName: 'Cog', role: 'member' })], nextCursor: null });
  });
});
