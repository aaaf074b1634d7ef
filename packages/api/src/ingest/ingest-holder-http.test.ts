import { request, startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * An ingest token minted through the API writes (and is billed to the town's account) only while the
 * credential that minted it holds and its user may read the town: before, a token minted with a leaked
 * API token kept writing for up to 8 h after the leak was answered with users.mintToken revokeOthers,
 * and one minted by a member removed from the organisation likewise.
 */
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ tickMs: 60_000 });
});
afterAll(() => s?.close());

let seq = 0;
const trpc = (token: string, proc: string, input: unknown) => request(s.url, 'POST', `/trpc/${proc}`, token, input);
const data = async (p: ReturnType<typeof trpc>) => {
  const r = await p;
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.result.data;
};
const ingest = (townId: string, jwt: string) =>
  request(s.url, 'POST', `/api/towns/${townId}/usage`, jwt, {
    records: [
      { id: `h${seq++}`, agentId: 'a', model: 'm', inputTokens: 1, outputTokens: 1, costMicrodollars: 1_000_000, at: Date.now() },
    ],
  });

describe('an ingest token minted through the API', () => {
  it('stops writing once the API token that minted it is replaced (a leak answered)', async () => {
    const bob = await s.addUser('holder-bob');
    const town = (await data(trpc(bob.token, 'towns.create', { name: 'bob town' }))).id as string;
    const jwt = (await data(trpc(bob.token, 'towns.mintIngestToken', { townId: town }))).token as string;
    expect((await ingest(town, jwt)).status).toBe(200);
    const fresh = await data(trpc(s.adminToken, 'users.mintToken', { name: 'holder-bob', revokeOthers: true }));
    const refused = await ingest(town, jwt);
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toMatch(/revoked or signed out/);
    // One minted with the new token writes.
    const again = (await data(trpc(fresh.token, 'towns.mintIngestToken', { townId: town }))).token as string;
    expect((await ingest(town, again)).status).toBe(200);
  });

  it('stops writing once its minter may no longer read the town (removed from the organisation)', async () => {
    const owner = await s.addUser('holder-owner');
    const eve = await s.addUser('holder-eve');
    const org = (await data(trpc(owner.token, 'orgs.create', { name: 'holder org' }))).id as string;
    const town = (await data(trpc(owner.token, 'towns.create', { name: 'org town', organizationId: org }))).id as string;
    await data(trpc(owner.token, 'orgs.setMember', { organizationId: org, userName: 'holder-eve', role: 'member' }));
    await data(trpc(eve.token, 'orgs.acceptInvitation', { organizationId: org }));
    const jwt = (await data(trpc(eve.token, 'towns.mintIngestToken', { townId: town }))).token as string;
    expect((await ingest(town, jwt)).status).toBe(200);
    await data(trpc(owner.token, 'orgs.removeMember', { organizationId: org, userName: 'holder-eve' }));
    const refused = await ingest(town, jwt);
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toMatch(/may no longer read/);
  });

  it('writes on while its minter keeps both (a second token of theirs added meanwhile changes nothing)', async () => {
    const dan = await s.addUser('holder-dan');
    const town = (await data(trpc(dan.token, 'towns.create', { name: 'dan town' }))).id as string;
    const jwt = (await data(trpc(dan.token, 'towns.mintIngestToken', { townId: town }))).token as string;
    await data(trpc(s.adminToken, 'users.mintToken', { name: 'holder-dan' }));
    expect((await ingest(town, jwt)).status).toBe(200);
    expect((await ingest(town, jwt)).status).toBe(200);
  });
});
