import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { secretVouch } from '@gasgauge/api';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDir } from './data-dir.js';
import { startServer } from './serve.js';
import { gasgauge } from './testing/cli.js';
import { request, startTestServer, type TestServer } from './testing/server.js';

let open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
});

/** The shape of a tagged secret (api auth/credential-vouch.ts): prefix, 32 random bytes and a 16-byte tag. */
const TAGGED = /^gg[a-z]_[A-Za-z0-9_-]{64}$/;

async function signIn(server: TestServer, token: string): Promise<string> {
  const res = await fetch(`${server.url}/auth/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  });
  expect(res.status).toBe(303);
  const cookie = /gg_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  if (cookie === undefined) throw new Error('no session cookie');
  return cookie;
}

describe('every secret the Node server and its CLI mint carries the tag of the data dir key', () => {
  it('the first start, users.create, sign-in, towns.createKey and the CLI all mint tagged secrets; a new key signs no one out', async () => {
    const server = await startTestServer();
    open.push(server);
    const vouch = secretVouch(new DataDir(server.dataDir).secret());
    const data = (r: { status: number; body: { result: { data: Record<string, string> } } }) => {
      expect(r.status).toBe(200);
      return r.body.result.data;
    };
    const user = data(await request(server.url, 'POST', '/trpc/users.create', server.adminToken, { name: 'bea' }))
      .token as string;
    const key = data(
      await request(server.url, 'POST', '/trpc/towns.createKey', server.adminToken, { townId: server.townId, name: 'k' }),
    ).key as string;
    const scrape = data(
      await request(server.url, 'POST', '/trpc/towns.createKey', server.adminToken, {
        townId: server.townId,
        name: 's',
        kind: 'scrape',
      }),
    ).key as string;
    const session = await signIn(server, user);
    const cliToken = JSON.parse((await gasgauge('user', 'token', 'bea', '--data', server.dataDir, '--json')).stdout).token;
    const link = JSON.parse((await gasgauge('login-link', '--user', 'bea', '--data', server.dataDir, '--json')).stdout).url;
    const code = new URL(link).searchParams.get('code') as string;
    // A GASGAUGE_SECRET the server would refuse does not fail a command that never needed a key: its token is untagged.
    process.env.GASGAUGE_SECRET = 'too short';
    const untagged = await gasgauge('user', 'token', 'bea', '--data', server.dataDir, '--json').finally(() => {
      delete process.env.GASGAUGE_SECRET;
    });
    expect(untagged.code).toBe(0);
    const untaggedToken = JSON.parse(untagged.stdout).token as string;
    expect(untaggedToken).toMatch(/^ggu_[A-Za-z0-9_-]{43}$/);
    expect((await request(server.url, 'GET', '/trpc/towns.list', untaggedToken)).status).toBe(200);
    const minted = { admin: server.adminToken, user, key, scrape, session, cliToken, code };
    for (const [what, secret] of Object.entries(minted)) {
      expect(secret, what).toMatch(TAGGED);
      expect(await vouch.vouches(secret), what).toBe(true);
    }

    // A new key (secret.key replaced; GASGAUGE_SECRET changed alike): the tags no longer check, and every secret still works.
    await server.close();
    open = [];
    writeFileSync(join(server.dataDir, 'secret.key'), `${'n'.repeat(43)}\n`);
    const again = await startServer({ dataDir: server.dataDir, port: 0, host: '127.0.0.1', log: () => {} });
    open.push(again);
    expect(await secretVouch(new DataDir(server.dataDir).secret()).vouches(user)).toBe(false);
    expect((await request(again.url, 'GET', '/trpc/towns.list', server.adminToken)).status).toBe(200);
    expect((await request(again.url, 'GET', '/trpc/towns.list', cliToken)).status).toBe(200);
    const me = await fetch(`${again.url}/auth/me`, { headers: { cookie: `gg_session=${session}` } });
    expect(me.status).toBe(200);
    const records = [
      { id: 'r1', agentId: 'a', model: 'm', inputTokens: 1, outputTokens: 1, costMicrodollars: 1, at: Date.now() },
    ];
    expect((await request(again.url, 'POST', `/api/towns/${server.townId}/usage`, key, { records })).status).toBe(200);
  });
});
