import { afterAll, describe, expect, it } from 'vitest';
import { gasgauge } from './testing/cli.js';
import { killServers, serveProcess } from './testing/serve-process.js';
import { request } from './testing/server.js';
import { tempDir } from './testing/temp.js';

afterAll(killServers);

/** A browser session of `token`'s user: the cookie `POST /auth/login` sets. */
async function signIn(url: string, token: string): Promise<string> {
  const res = await fetch(`${url}/auth/login`, {
    method: 'POST',
    headers: { origin: url, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }),
    redirect: 'manual',
  });
  const cookie = /gg_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  if (!cookie) throw new Error(`no session: ${res.status}`);
  return cookie;
}
const me = async (url: string, cookie: string) =>
  (await fetch(`${url}/auth/me`, { headers: { cookie: `gg_session=${cookie}` } })).status;
const towns = async (url: string, token: string) => (await request(url, 'GET', '/api/towns', token)).status;

describe('revoking a user’s credentials (a leaked token)', () => {
  it('users.mintToken with revokeOthers, then gasgauge user token --revoke-others beside the server: the old tokens and sessions are 401 at once', async () => {
    const data = tempDir('gg-revoke-');
    const s = await serveProcess(data);
    const admin = s.adminToken as string;
    const created = await request(s.url, 'POST', '/trpc/users.create', admin, { name: 'alice' });
    const leaked = created.body.result.data.token as string;
    const second = (await request(s.url, 'POST', '/trpc/users.mintToken', admin, { name: 'alice' })).body.result.data.token;
    const session = await signIn(s.url, leaked);
    const adminSession = await signIn(s.url, admin);
    expect([await towns(s.url, leaked), await towns(s.url, second), await me(s.url, session)]).toEqual([200, 200, 200]);

    const replaced = await request(s.url, 'POST', '/trpc/users.mintToken', admin, { name: 'alice', revokeOthers: true });
    expect(replaced.status).toBe(200);
    expect(replaced.body.result.data).toMatchObject({ revokedTokens: 2, endedSessions: 1 });
    const fresh = replaced.body.result.data.token as string;
    expect([await towns(s.url, leaked), await towns(s.url, second), await me(s.url, session)]).toEqual([401, 401, 401]);
    expect(await towns(s.url, fresh)).toBe(200);
    // Nobody else's: the admin's token and session hold.
    expect([await towns(s.url, admin), await me(s.url, adminSession)]).toEqual([200, 200]);
    // Only an admin may.
    const byAlice = await request(s.url, 'POST', '/trpc/users.mintToken', fresh, { name: 'alice', revokeOthers: true });
    expect(byAlice.status).toBe(403);

    const cli = await gasgauge('user', 'token', 'alice', '--revoke-others', '--json', '--data', data);
    expect(cli.code, cli.stderr).toBe(0);
    const out = JSON.parse(cli.stdout) as { token: string; revokedTokens: number; endedSessions: number };
    expect([out.revokedTokens, out.endedSessions]).toEqual([1, 0]);
    expect([await towns(s.url, fresh), await towns(s.url, out.token)]).toEqual([401, 200]);
    await s.stop();
  });
});
