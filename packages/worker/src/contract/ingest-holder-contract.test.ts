import { describe, expect, it } from 'vitest';
import { rec } from '../testing/client.js';
import { HOSTS, useHost } from '../testing/hosts.js';

/** An ingest token minted through the API writes only while its minter's credential and access hold, on every host. */
describe.each(HOSTS)('%s host: who minted an ingest token', (_name, start) => {
  const host = useHost(start);

  it('a token replaced (a leak answered) or a member removed ends the ingest tokens they minted', async () => {
    const bob = await host.c.user('bob');
    const own = await host.c.town('bob town', bob.token);
    expect((await host.c.usage(own.id, own.ingest, [rec({ id: 'b1' })])).status).toBe(200);
    expect((await host.c.mutate('users.mintToken', { name: 'bob', revokeOthers: true })).status).toBe(200);
    expect((await host.c.usage(own.id, own.ingest, [rec({ id: 'b2' })])).status).toBe(401);

    const owner = await host.c.user('olive');
    const eve = await host.c.user('eve');
    const org = (await host.c.mutate('orgs.create', { name: 'holders' }, owner.token)).body.result.data.id as string;
    const town = (await host.c.mutate('towns.create', { name: 'org town', organizationId: org }, owner.token)).body.result.data
      .id;
    expect(
      (await host.c.mutate('orgs.setMember', { organizationId: org, userName: 'eve', role: 'member' }, owner.token)).status,
    ).toBe(200);
    expect((await host.c.mutate('orgs.acceptInvitation', { organizationId: org }, eve.token)).status).toBe(200);
    const jwt = (await host.c.mutate('towns.mintIngestToken', { townId: town }, eve.token)).body.result.data.token as string;
    expect((await host.c.usage(town, jwt, [rec({ id: 'e1' })])).status).toBe(200);
    expect((await host.c.mutate('orgs.removeMember', { organizationId: org, userName: 'eve' }, owner.token)).status).toBe(200);
    expect((await host.c.usage(town, jwt, [rec({ id: 'e2' })])).status).toBe(401);
  });
});
