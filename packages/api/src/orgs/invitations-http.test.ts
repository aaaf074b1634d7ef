import { type HttpResult, startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUsers } from '../testing/as-user.js';

/**
 * `orgs.setMember` of someone not yet a member is an invitation, answered alike whether the name is a
 * user or not, so an owner cannot probe which user names exist; `orgs.removeMember` answers an unknown
 * name as a non-member. The invitee joins by accepting. Over real HTTP.
 */
let s: TestServer;
const tokens = new Map<string, string>();
let org: string;

const { mutate, query, ok } = asUsers(() => s, tokens);
const invite = (who: string, userName: string, role = 'member') =>
  mutate(who, 'orgs.setMember', { organizationId: org, userName, role });
const members = async () =>
  (ok(await query('owen', 'orgs.members', { organizationId: org })).members as { userName: string; role: string }[]).map((m) => [
    m.userName,
    m.role,
  ]);
/** Everything a caller sees of an answer, with the name asked for taken out. */
const seen = (r: HttpResult, name: string) => [r.status, JSON.stringify(r.body).replaceAll(name, 'NAME')];

beforeAll(async () => {
  s = await startTestServer();
  for (const name of ['owen', 'adam', 'mia', 'uma', 'vic']) tokens.set(name, (await s.addUser(name)).token);
  org = ok(await mutate('owen', 'orgs.create', { name: 'Acme' })).id;
  ok(await invite('owen', 'adam', 'admin'));
  ok(await mutate('adam', 'orgs.acceptInvitation', { organizationId: org }));
  ok(await invite('owen', 'mia'));
  ok(await mutate('mia', 'orgs.acceptInvitation', { organizationId: org }));
}, 30_000);
afterAll(() => s?.close());

describe('orgs.setMember of a non-member', () => {
  it('answers a user and a name that is no user alike, for an owner and for an admin, every role', async () => {
    for (const who of ['owen', 'adam'])
      for (const role of ['member', 'admin', 'owner', 'billing_manager']) {
        const user = await invite(who, 'uma', role);
        const nobody = await invite(who, 'nobody-at-all', role);
        expect(seen(nobody, 'nobody-at-all'), `${who} ${role}`).toEqual(seen(user, 'uma'));
      }
    expect(seen(await invite('adam', 'uma', 'owner'), 'uma')[0]).toBe(403); // only an owner makes owners, user or not
    expect(ok(await invite('owen', 'uma'))).toEqual({ invited: true, userName: 'uma', role: 'member' });
  });

  it('adds no one until the invitee accepts, with the role of the latest invitation', async () => {
    ok(await invite('owen', 'vic', 'admin'));
    ok(await invite('owen', 'vic', 'member'));
    expect(await members()).not.toContainEqual(['vic', expect.anything()]);
    expect((await query('vic', 'orgs.list')).body.result.data).toEqual([]);
    expect(ok(await query('vic', 'orgs.invitations')).invitations).toEqual([
      { orgId: org, orgName: 'Acme', role: 'member', createdAt: expect.any(Number) },
    ]);
    expect(ok(await mutate('vic', 'orgs.acceptInvitation', { organizationId: org })).membership).toMatchObject({
      role: 'member',
    });
    expect(await members()).toContainEqual(['vic', 'member']);
    expect(ok(await query('vic', 'orgs.invitations')).invitations).toEqual([]);
    const again = await mutate('vic', 'orgs.acceptInvitation', { organizationId: org });
    expect([again.status, again.body.error.data.path]).toEqual([404, 'organizationId']);
  });

  it('declining leaves the invitee out; a member named again just gets the new role', async () => {
    ok(await invite('owen', 'uma'));
    expect(ok(await mutate('uma', 'orgs.declineInvitation', { organizationId: org }))).toEqual({ declined: true });
    expect(ok(await query('uma', 'orgs.invitations')).invitations).toEqual([]);
    expect(await members()).not.toContainEqual(['uma', expect.anything()]);
    expect(ok(await invite('owen', 'mia', 'billing_manager'))).toMatchObject({ role: 'billing_manager' });
    expect(await members()).toContainEqual(['mia', 'billing_manager']);
  });
});

describe('orgs.removeMember of a non-member', () => {
  it('answers a user who is not a member and a name that is no user alike, for each caller', async () => {
    for (const who of ['owen', 'adam', 'mia']) {
      const user = await mutate(who, 'orgs.removeMember', { organizationId: org, userName: 'uma' });
      const nobody = await mutate(who, 'orgs.removeMember', { organizationId: org, userName: 'nobody-at-all' });
      expect(seen(nobody, 'nobody-at-all'), who).toEqual(seen(user, 'uma'));
    }
  });
});
