import { Control } from '@gasgauge/core';
import { DataDir, openSqlite } from '@gasgauge/server';
import { startTestServer, type TestServer, trpcPath } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_TOWNS_PAGE } from './router.js';

/**
 * towns.list reads each town's tick health (a town file on Node, a Durable Object call on Workers), so it
 * answers a page: 2,000 towns in one answer held the Node server 5 s. A real server, 250 towns.
 */
const TOWNS = 250;
let s: TestServer;
let all: string[];
beforeAll(async () => {
  s = await startTestServer({ autoTick: false, maxTownsPerOwner: TOWNS + 1 });
  // Made beside the server as the CLI does (one transaction), after the test town.
  const sql = openSqlite(new DataDir(s.dataDir).controlFile);
  try {
    const control = new Control(sql, Date.now, { maxTownsPerOwner: TOWNS + 1 });
    const admin = control.userByName('admin')?.id as string;
    sql.transaction(() => {
      for (let i = 1; i < TOWNS; i++)
        control.createTown(`town_page_${String(i).padStart(3, '0')}`, `Page ${i}`, { userId: admin });
    });
  } finally {
    sql.close();
  }
  all = [s.townId, ...Array.from({ length: TOWNS - 1 }, (_, i) => `town_page_${String(i + 1).padStart(3, '0')}`)];
});
afterAll(async () => {
  await s?.close();
});

type Listed = { id: string; tick: unknown }[];
const list = async (input?: { limit?: number; after?: string }) => {
  const r = await s.get(trpcPath('towns.list', input));
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.result.data as Listed;
};

describe('towns.list pages', () => {
  it(`answers at most ${MAX_TOWNS_PAGE} towns, each with its tick health, and pages through all by creation with after`, async () => {
    const first = await list();
    expect(first).toHaveLength(MAX_TOWNS_PAGE);
    expect(first.every((t) => t.tick !== null && typeof t.tick === 'object')).toBe(true);
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await list(after === undefined ? {} : { after });
      seen.push(...page.map((t) => t.id));
      if (page.length < MAX_TOWNS_PAGE) break;
      after = page.at(-1)?.id;
    }
    expect(seen).toEqual(all);
  });

  it('takes a smaller limit; REST takes the same page', async () => {
    expect((await list({ limit: 3, after: all[0] as string })).map((t) => t.id)).toEqual(all.slice(1, 4));
    const rest = await s.get(`/api/towns?limit=2&after=${all[5]}`);
    expect(rest.status).toBe(200);
    expect((rest.body as Listed).map((t) => t.id)).toEqual(all.slice(6, 8));
    expect(((await s.get('/api/towns')).body as Listed).length).toBe(MAX_TOWNS_PAGE);
  });

  it("after naming a town this user cannot read is an empty page, not the others' towns", async () => {
    const bob = await s.addUser('bob');
    const r = await s.get(trpcPath('towns.list', { after: all[0] }), bob.token);
    expect(r.body.result.data).toEqual([]);
    expect((await s.get(trpcPath('towns.list'), bob.token)).body.result.data).toEqual([]);
  });
});

describe('towns.get', () => {
  it("answers one of the user's towns as the list gives it, and 404 on townId for any other id, the same for a town that exists", async () => {
    const listed = (await list({ limit: 3 })).find((t) => t.id === all[2]);
    const r = await s.get(trpcPath('towns.get', { townId: all[2] }));
    expect(r.status).toBe(200);
    expect(r.body.result.data).toEqual(listed);
    const carol = await s.addUser('carol');
    for (const townId of [all[2], 'town_nope']) {
      const refused = await s.get(trpcPath('towns.get', { townId }), carol.token);
      expect(refused.status).toBe(404);
      expect(refused.body.error.data).toMatchObject({ code: 'NOT_FOUND', path: 'townId' });
    }
    expect((await s.get(trpcPath('towns.get', { townId: 'x'.repeat(65) }))).status).toBe(400);
  });
});

describe("a town's organisation", () => {
  it('is named in towns.list and towns.get (ownerOrgName; null for a personal town), so two towns of one name in two organisations differ', async () => {
    const dana = await s.addUser('dana');
    const call = async (proc: string, input: unknown) => {
      const r = await s.post(`/trpc/${proc}`, input, dana.token);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body.result.data as { id: string };
    };
    const acme = await call('orgs.create', { name: 'Acme' });
    const globex = await call('orgs.create', { name: 'Globex' });
    const inAcme = await call('towns.create', { name: 'Gas Town', organizationId: acme.id });
    const inGlobex = await call('towns.create', { name: 'Gas Town', organizationId: globex.id });
    const mine = await call('towns.create', { name: 'Gas Town' });
    type Owned = { id: string; name: string; ownerOrgId: string | null; ownerOrgName: string | null };
    const towns = (await s.get(trpcPath('towns.list'), dana.token)).body.result.data as Owned[];
    expect(towns.map((t) => [t.id, t.name, t.ownerOrgId, t.ownerOrgName])).toEqual([
      [inAcme.id, 'Gas Town', acme.id, 'Acme'],
      [inGlobex.id, 'Gas Town', globex.id, 'Globex'],
      [mine.id, 'Gas Town', null, null],
    ]);
    for (const town of towns)
      expect((await s.get(trpcPath('towns.get', { townId: town.id }), dana.token)).body.result.data).toEqual(town);
  });
});
