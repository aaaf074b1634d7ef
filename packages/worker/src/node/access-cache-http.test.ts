import { createApp, hashToken, LiveHub, LocalControlStore, LocalTowns, newUserToken } from '@gasgauge/api';
import { Control } from '@gasgauge/core';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDir } from '../../../server/src/data-dir.js';
import { openSqlite } from '../../../server/src/sqlite.js';
import { tempDir } from '../../../server/src/testing/temp.js';
import { FileTownDirectory } from '../../../server/src/town-directory.js';
import { accessCache } from '../access-cache.js';
import { rec } from '../testing/client.js';
import { countedControl } from '../testing/counted-control.js';

/*
 * Two Worker isolates as the Worker builds them (the API app over the access cache), sharing one control
 * store on a SQLite file (what the control object runs). A change made through isolate A reaches B's
 * remembered answers only after their TTL, by design; but B must not turn such an answer into a new
 * credential — a session, an ingest token or key — that outlives the TTL.
 */
const dataDir = new DataDir(tempDir('gg-access-cache-http-'));
const sql = openSqlite(dataDir.controlFile);
const control = new Control(sql, Date.now);
const files = new FileTownDirectory(dataDir, Date.now);
afterAll(() => {
  files.close();
  sql.close();
});

/** An isolate; `asked` counts what reaches the control store (a round trip to the control object on Workers). */
function isolate(asked: string[] = []) {
  const local = new LocalControlStore(control, Date.now);
  const counted = countedControl(local, asked);
  const { cached, fresh } = accessCache(counted);
  return createApp({
    control: cached,
    freshControl: fresh,
    towns: new LocalTowns((id) => files.get(id)),
    secret: new Uint8Array(32).fill(7),
    clock: Date.now,
    live: new LiveHub(),
  });
}

type App = ReturnType<typeof isolate>;
const ORIGIN = 'http://127.0.0.1';

const trpc = async (app: App, kind: 'query' | 'mutation', proc: string, input: unknown, token: string) => {
  const res = await app.fetch(
    kind === 'query'
      ? new Request(`${ORIGIN}/trpc/${proc}?input=${encodeURIComponent(JSON.stringify(input))}`, {
          headers: { authorization: `Bearer ${token}` },
        })
      : new Request(`${ORIGIN}/trpc/${proc}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(input),
        }),
  );
  return { status: res.status, body: (await res.json()) as { result?: { data: Record<string, unknown> } } };
};

const login = (app: App, token: string) =>
  app.fetch(
    new Request(`${ORIGIN}/auth/login`, {
      method: 'POST',
      headers: { origin: ORIGIN, host: '127.0.0.1', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
    }),
  );

async function user(name: string, isAdmin = false) {
  const u = control.createUser(`u_${name}`, name, isAdmin);
  const token = newUserToken();
  control.addToken(u.id, await hashToken(token), 'test');
  return { ...u, token };
}

describe('the Worker’s access cache, between isolates', () => {
  it('a token replaced through one isolate signs nobody in through another, even while that one remembers it', async () => {
    const admin = await user('admin', true);
    const mallory = await user('mallory');
    const a = isolate();
    const b = isolate();
    // B has seen mallory's token (a read), so it remembers who it is.
    expect((await trpc(b, 'query', 'orgs.list', {}, mallory.token)).status).toBe(200);
    // The leaked token is replaced through A.
    const minted = await trpc(a, 'mutation', 'users.mintToken', { name: 'mallory', revokeOthers: true }, admin.token);
    expect(minted.status).toBe(200);
    expect(minted.body.result?.data.revokedTokens).toBe(1);
    // Through B, within the TTL: no session made from the old token (a session would outlive the TTL by days).
    const res = await login(b, mallory.token);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/login\?error=invalid_token/);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(control.sql.rows('SELECT COUNT(*) FROM sessions WHERE user_id = ?', mallory.id)[0]?.[0]).toBe(0);
    // Nor any other change: a mutation is answered from the control store itself.
    expect((await trpc(b, 'mutation', 'orgs.create', { name: 'mallory org' }, mallory.token)).status).toBe(401);
  });

  it('a member removed through one isolate mints no ingest token or key for the town through another', async () => {
    const owner = await user('owner');
    const eve = await user('eve');
    const a = isolate();
    const b = isolate();
    const org = control.orgs.create('o_acme', 'acme', owner.id);
    control.orgs.setMember(org.id, eve.id, 'admin');
    const town = control.createTown('t_acme', 'acme town', { orgId: org.id });
    // B remembers that eve may see and manage the town.
    expect((await trpc(b, 'query', 'towns.listKeys', { townId: town.id }, eve.token)).status).toBe(200);
    // The owner removes her through A.
    expect(
      (await trpc(a, 'mutation', 'orgs.removeMember', { organizationId: org.id, userName: 'eve' }, owner.token)).status,
    ).toBe(200);
    // Through B, within the TTL: an 8-hour ingest token or a key that never expires would outlive it.
    expect((await trpc(b, 'mutation', 'towns.mintIngestToken', { townId: town.id }, eve.token)).status).toBe(404);
    expect((await trpc(b, 'mutation', 'towns.createKey', { townId: town.id, name: 'backdoor' }, eve.token)).status).toBe(404);
    expect(control.sql.rows('SELECT COUNT(*) FROM ingest_keys WHERE town_id = ?', town.id)[0]?.[0]).toBe(0);
  });

  it('a key revoked through an isolate is refused at once by that isolate’s ingest routes', async () => {
    const dave = await user('dave');
    const a = isolate();
    const town = control.createTown('t_dave', 'dave town', { userId: dave.id });
    const created = await trpc(a, 'mutation', 'towns.createKey', { townId: town.id, name: 'otel' }, dave.token);
    const key = created.body.result?.data.key as string;
    const ingest = async () =>
      (
        await a.fetch(
          new Request(`${ORIGIN}/api/towns/${town.id}/usage`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: JSON.stringify({ records: [rec({ id: `r${Math.random()}`, inputTokens: 1 })] }),
          }),
        )
      ).status;
    expect(await ingest()).toBe(200);
    expect((await trpc(a, 'mutation', 'towns.revokeKey', { townId: town.id, name: 'otel' }, dave.token)).status).toBe(200);
    expect(await ingest()).toBe(401);
  });

  it('forgets nothing for a request that changes nothing: anyone’s sign-out without a session, a refused mutation', async () => {
    const erin = await user('erin');
    const asked: string[] = [];
    const b = isolate(asked);
    const read = () => trpc(b, 'query', 'towns.list', {}, erin.token);
    expect((await read()).status).toBe(200);
    const form = (path: string, body: Record<string, string>, cookie?: string) =>
      b.fetch(
        new Request(`${ORIGIN}${path}`, {
          method: 'POST',
          headers: {
            origin: ORIGIN,
            host: '127.0.0.1',
            'content-type': 'application/x-www-form-urlencoded',
            ...(cookie ? { cookie } : {}),
          },
          body: new URLSearchParams(body).toString(),
        }),
      );
    // No credential needed for either: without this, any client emptied every isolate's memory at will.
    expect((await form('/auth/logout', {}, 'gg_session=ggs_nosuchsession')).status).toBe(303);
    expect((await form('/auth/link', { code: 'ggl_nosuchcode' })).headers.get('location')).toMatch(/link_expired/);
    expect((await trpc(b, 'mutation', 'orgs.acceptInvitation', { organizationId: 'org_none' }, erin.token)).status).toBe(404);
    asked.length = 0;
    expect((await read()).status).toBe(200);
    expect(asked).toEqual(['townsOf']);
  });

  it('reads still come from memory within the TTL (what the cache is for)', async () => {
    const carol = await user('carol');
    const b = isolate();
    expect((await trpc(b, 'query', 'orgs.list', {}, carol.token)).status).toBe(200);
    control.sql.run('DELETE FROM api_tokens WHERE user_id = ?', carol.id);
    expect((await trpc(b, 'query', 'orgs.list', {}, carol.token)).status).toBe(200);
  });
});

describe('towns.list and towns.get on the Worker: round trips to the control object', () => {
  it('name the towns’ organisations (ownerOrgName) with no call per organisation: one townsOf, one townFor', async () => {
    const frank = await user('frank');
    const orgs = 5;
    for (let i = 0; i < orgs; i++) {
      control.orgs.create(`o_frank_${i}`, `Frank ${i}`, frank.id);
      control.createTown(`t_frank_${i}`, 'Gas Town', { orgId: `o_frank_${i}` });
    }
    const asked: string[] = [];
    const b = isolate(asked);
    expect((await trpc(b, 'query', 'orgs.list', {}, frank.token)).status).toBe(200); // frank's token, remembered
    asked.length = 0;
    const listed = await trpc(b, 'query', 'towns.list', {}, frank.token);
    expect(listed.status).toBe(200);
    const towns = listed.body.result?.data as unknown as { id: string; ownerOrgName: string | null }[];
    expect(towns.map((t) => t.ownerOrgName)).toEqual(Array.from({ length: orgs }, (_, i) => `Frank ${i}`));
    expect(asked).toEqual(['townsOf']);
    asked.length = 0;
    const got = await trpc(b, 'query', 'towns.get', { townId: 't_frank_3' }, frank.token);
    expect(got.body.result?.data.ownerOrgName).toBe('Frank 3');
    expect(asked).toEqual(['townFor']);
  });
});
