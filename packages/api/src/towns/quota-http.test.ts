import { MAX_ORGS_CREATED_PER_USER } from '@gasgauge/core';
import { type HttpResult, request, startTestServer, type TestServer, trpcPath } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The town quota at its edge, over real HTTP (`towns.create`), for a user, an organisation and an admin. */
const LIMIT = 3;
let s: TestServer;
let alice: string;

const create = (token: string, input: unknown) => request(s.url, 'POST', '/trpc/towns.create', token, input);
const mutate = (token: string, proc: string, input: unknown) => request(s.url, 'POST', `/trpc/${proc}`, token, input);
const list = async (token: string) => (await request(s.url, 'GET', trpcPath('towns.list'), token)).body.result.data as unknown[];
const ok = (r: HttpResult) => {
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.result.data;
};

beforeAll(async () => {
  s = await startTestServer({ maxTownsPerOwner: LIMIT });
  alice = (await s.addUser('alice')).token;
}, 30_000);
afterAll(() => s?.close());

describe('towns per owner', () => {
  it('a user creates up to the limit; the next is a 403 naming the limit, and stores nothing', async () => {
    for (let i = 0; i < LIMIT; i++) ok(await create(alice, { name: `mine ${i}` }));
    const refused = await create(alice, { name: 'one too many' });
    expect([refused.status, refused.body.error.data.code, refused.body.error.data.path]).toEqual([403, 'FORBIDDEN', 'owner']);
    expect(refused.body.error.message).toContain(`limit is ${LIMIT} per owner`);
    expect(await list(alice)).toHaveLength(LIMIT);
  });

  it("an organisation has its own quota, apart from its members' personal ones", async () => {
    const org = ok(await request(s.url, 'POST', '/trpc/orgs.create', alice, { name: 'acme' })).id;
    for (let i = 0; i < LIMIT; i++) ok(await create(alice, { name: `acme ${i}`, organizationId: org }));
    const refused = await create(alice, { name: 'acme extra', organizationId: org });
    expect([refused.status, refused.body.error.data.path]).toEqual([403, 'organizationId']);
    expect(await list(alice)).toHaveLength(2 * LIMIT);
  });

  it("an admin's own towns are exempt", async () => {
    // startTestServer already made one admin town.
    for (let i = 0; i < LIMIT; i++) ok(await create(s.adminToken, { name: `admin ${i}` }));
    expect(await list(s.adminToken)).toHaveLength(LIMIT + 1);
  });

  it('a user creates at most MAX_ORGS_CREATED_PER_USER organisations, so organisations cannot multiply the town quota', async () => {
    // alice created acme already.
    for (let i = 1; i < MAX_ORGS_CREATED_PER_USER; i++) ok(await mutate(alice, 'orgs.create', { name: `org ${i}` }));
    const refused = await mutate(alice, 'orgs.create', { name: 'one org too many' });
    expect([refused.status, refused.body.error.data.path]).toEqual([403, 'owner']);
    expect(refused.body.error.message).toContain(`the limit is ${MAX_ORGS_CREATED_PER_USER}`);
  });

  it("owners made by someone else count against nobody's quota: no one uses up another's, nor escapes their own", async () => {
    const bob = (await s.addUser('bob')).token;
    const carol = (await s.addUser('carol')).token;
    // Bob makes carol the owner of every organisation he may create, and steps down in each.
    for (let i = 0; i < MAX_ORGS_CREATED_PER_USER; i++) {
      const org = ok(await mutate(bob, 'orgs.create', { name: `bob ${i}` })).id;
      ok(await mutate(bob, 'orgs.setMember', { organizationId: org, userName: 'carol', role: 'owner' }));
      ok(await mutate(carol, 'orgs.acceptInvitation', { organizationId: org }));
      ok(await mutate(bob, 'orgs.setMember', { organizationId: org, userName: 'bob', role: 'member' }));
    }
    // Carol, who owns ten she never asked for, still creates her own; bob, who owns none, gets no more.
    ok(await mutate(carol, 'orgs.create', { name: 'carols own' }));
    const more = await mutate(bob, 'orgs.create', { name: 'bob again' });
    expect([more.status, more.body.error.data.path]).toEqual([403, 'owner']);
  });
});
