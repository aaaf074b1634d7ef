import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, rec } from '../testing/client.js';
import { HOSTS, type Host } from '../testing/hosts.js';

/** An ingest token minted through the API writes only while its minter's credential and access hold, on every host. */
describe.each(HOSTS)('%s host: who minted an ingest token', (_name, start) => {
  let h: Host;
  let c: ReturnType<typeof client>;
  beforeAll(async () => {
    h = await start();
    c = client(h);
  }, 120_000);
  afterAll(() => h?.close());

  it('a token replaced (a leak answered) or a member removed ends the ingest tokens they minted', async () => {
    const bob = await c.user('bob');
    const own = await c.town('bob town', bob.token);
    expect((await c.usage(own.id, own.ingest, [rec({ id: 'b1' })])).status).toBe(200);
    expect((await c.mutate('users.mintToken', { name: 'bob', revokeOthers: true })).status).toBe(200);
    expect((await c.usage(own.id, own.ingest, [rec({ id: 'b2' })])).status).toBe(401);

    const owner = await c.user('olive');
    const eve = await c.user('eve');
    const org = (await c.mutate('orgs.create', { name: 'holders' }, owner.token)).body.result.data.id as string;
    const town = (await c.mutate('towns.create', { name: 'org town', organizationId: org }, owner.token)).body.result.data.id;
    expect((await c.mutate('orgs.setMember', { organizationId: org, userName: 'eve', role: 'member' }, owner.token)).status).toBe(
      200,
    );
    expect((await c.mutate('orgs.acceptInvitation', { organizationId: org }, eve.token)).status).toBe(200);
    const jwt = (await c.mutate('towns.mintIngestToken', { townId: town }, eve.token)).body.result.data.token as string;
    expect((await c.usage(town, jwt, [rec({ id: 'e1' })])).status).toBe(200);
    expect((await c.mutate('orgs.removeMember', { organizationId: org, userName: 'eve' }, owner.token)).status).toBe(200);
    expect((await c.usage(town, jwt, [rec({ id: 'e2' })])).status).toBe(401);
  });
});
