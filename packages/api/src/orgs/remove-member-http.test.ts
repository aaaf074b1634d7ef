import { type HttpResult, startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUsers } from '../testing/as-user.js';

/**
 * An owner or admin invites anyone by name: `orgs.removeMember` lets a member leave, and
 * lets owners and admins remove members (only an owner removes an owner). Over real HTTP.
 */
let s: TestServer;
const tokens = new Map<string, string>();
let org: string;
let town: string;

const { mutate, query, ok } = asUsers(() => s, tokens);
const remove = (who: string, userName: string) => mutate(who, 'orgs.removeMember', { organizationId: org, userName });
/** Ann invites, and the invitee accepts. */
const join = async (userName: string, role: string) => {
  ok(await mutate('ann', 'orgs.setMember', { organizationId: org, userName, role }));
  ok(await mutate(userName, 'orgs.acceptInvitation', { organizationId: org }));
};
const status = (r: HttpResult) => [r.status, r.body.error?.data?.path ?? null];

beforeAll(async () => {
  s = await startTestServer();
  for (const name of ['ann', 'bob', 'cid', 'dee', 'eve']) tokens.set(name, (await s.addUser(name)).token);
  org = ok(await mutate('ann', 'orgs.create', { name: 'Acme' })).id;
  town = ok(await mutate('ann', 'towns.create', { name: 'Works', organizationId: org })).id;
  for (const [name, role] of [
    ['bob', 'owner'],
    ['cid', 'admin'],
    ['dee', 'member'],
  ] as const)
    await join(name, role);
}, 30_000);
afterAll(() => s?.close());

describe('orgs.removeMember', () => {
  it('a member added without asking leaves, and the organisation and its towns are gone for them', async () => {
    expect(ok(await query('dee', 'towns.list')).map((t: { id: string }) => t.id)).toContain(town);
    expect(ok(await remove('dee', 'dee'))).toEqual({ removed: true });
    expect(ok(await query('dee', 'orgs.list'))).toEqual([]);
    expect((await query('dee', 'metrics.throughput', { townId: town })).status).toBe(404);
    expect(status(await remove('dee', 'dee'))).toEqual([404, 'organizationId']);
  });

  it('an admin removes a member but not an owner; an outsider removes no one; the last owner stays', async () => {
    await join('dee', 'member');
    expect(status(await remove('cid', 'bob'))).toEqual([403, 'role']);
    expect(status(await remove('eve', 'dee'))).toEqual([404, 'organizationId']);
    expect(status(await remove('dee', 'cid'))).toEqual([403, 'organizationId']);
    ok(await remove('cid', 'dee'));
    // An owner who was made one leaves; then the last owner cannot.
    ok(await remove('bob', 'bob'));
    expect(status(await remove('ann', 'ann'))).toEqual([409, 'userName']);
    expect(
      ok(await query('ann', 'orgs.members', { organizationId: org })).members.map((m: { userName: string }) => m.userName),
    ).toEqual(['ann', 'cid']);
  });
});
