import { createLoginLink } from '@gasgauge/api';
import { Control, Sessions } from '@gasgauge/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlite } from './sqlite.js';
import { gasgauge } from './testing/cli.js';
import { killServers, serveProcess } from './testing/serve-process.js';
import { startTestServer, type TestServer, trpcPath } from './testing/server.js';
import { sleep } from './testing/sockets.js';
import { tempDir } from './testing/temp.js';

/** Five changes at once, one earned back a minute: no change is earned back while a test runs. */
const BURST = 5;
const PER_MIN = 1;

interface Answer {
  status: number;
  retryAfter: string | null;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON response shapes
  body: any;
}

async function send(url: string, method: 'GET' | 'POST', path: string, token: string, body?: unknown): Promise<Answer> {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
}

/** A change that stores what it was sent: the account's low-balance threshold. */
const setThreshold = (url: string, token: string, micro: number) =>
  send(url, 'POST', '/trpc/billing.setAlertSettings', token, { lowBalanceMicrodollars: micro });
const threshold = async (url: string, token: string): Promise<number> => {
  const r = await send(url, 'GET', trpcPath('billing.alertSettings', {}), token);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.result.data.lowBalanceMicrodollars as number;
};

/** A browser form post to /auth/*: its status, where it goes, and the cookie it sets. */
async function form(url: string, path: string, fields: Record<string, string>, cookie?: string) {
  const res = await fetch(url + path, {
    method: 'POST',
    headers: {
      origin: url,
      'content-type': 'application/x-www-form-urlencoded',
      ...(cookie === undefined ? {} : { cookie }),
    },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
  await res.arrayBuffer();
  return { status: res.status, location: res.headers.get('location'), setCookie: res.headers.get('set-cookie') ?? '' };
}

describe(`change budget: ${BURST} changes at once, then ${PER_MIN} a minute, per user`, () => {
  let s: TestServer;

  beforeAll(async () => {
    s = await startTestServer({ autoTick: false, changeBudgetBurst: BURST, changeBudgetPerMin: PER_MIN });
  });
  afterAll(() => s?.close());

  it('the burst is accepted, the next change is refused 429 naming the budget and stores nothing; reads and another user go on', async () => {
    const alice = await s.addUser('alice');
    const bob = await s.addUser('bob');
    for (let i = 1; i <= BURST; i++) expect((await setThreshold(s.url, alice.token, i)).status, `change ${i}`).toBe(200);
    const refused = await setThreshold(s.url, alice.token, BURST + 1);
    expect(refused.status).toBe(429);
    expect(refused.body.error.message).toMatch(
      new RegExp(
        `^change budget spent: you have made more changes than your share \\(${BURST} at once, ${PER_MIN} a minute\\); nothing was changed; retry in \\d+ s$`,
      ),
    );
    expect(refused.body.error.data).toMatchObject({ code: 'TOO_MANY_REQUESTS', httpStatus: 429 });
    const seconds = refused.body.error.data.retryAfterSeconds as number;
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(60);
    expect(refused.retryAfter).toBe(String(seconds));
    // Nothing stored by the refused change; reads are not changes.
    expect(await threshold(s.url, alice.token)).toBe(BURST);
    // A batch of changes is refused call by call, and none of them runs.
    const batch = await send(s.url, 'POST', '/trpc/billing.setAlertSettings,orgs.create?batch=1', alice.token, {
      0: { lowBalanceMicrodollars: 99 },
      1: { name: 'never' },
    });
    expect(batch.status).toBe(429);
    expect(batch.body.map((c: { error: { data: { httpStatus: number } } }) => c.error.data.httpStatus)).toEqual([429, 429]);
    expect(await threshold(s.url, alice.token)).toBe(BURST);
    const orgs = await send(s.url, 'GET', trpcPath('orgs.list', {}), alice.token);
    expect(orgs.body.result.data.items ?? orgs.body.result.data).toEqual([]);
    // The budget is the user's: another changes at once.
    expect((await setThreshold(s.url, bob.token, 7)).status).toBe(200);
    expect(await threshold(s.url, bob.token)).toBe(7);
  });

  it('a user with no change left gets each call refused 429 without its body being read, whatever it holds', async () => {
    const erin = await s.addUser('erin');
    for (let i = 1; i <= BURST; i++) expect((await setThreshold(s.url, erin.token, i)).status).toBe(200);
    // Read, these bodies were answered 400 (not JSON; a lone surrogate, found by a walk over the parsed input) after
    // being parsed: 1 MiB of them cost ~100 ms of the event loop each, in a loop that no budget counted.
    const junk = [`{"lowBalanceMicrodollars":${'['.repeat(100)}`, `{"note":"\\ud800","x":[${'0,'.repeat(500_000)}0]}`];
    for (const body of junk) {
      const res = await fetch(`${s.url}/trpc/billing.setAlertSettings,orgs.create?batch=1`, {
        method: 'POST',
        headers: { authorization: `Bearer ${erin.token}`, 'content-type': 'application/json' },
        body,
      });
      const answer = await res.json();
      expect(res.status, JSON.stringify(answer).slice(0, 300)).toBe(429);
      expect(answer.map((c: { error: { data: { httpStatus: number } } }) => c.error.data.httpStatus)).toEqual([429, 429]);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect(await threshold(s.url, erin.token)).toBe(BURST);
  });

  it('a sign-in is a change of the user it signs in; made-up tokens, codes and cookies spend nobody', async () => {
    const carol = await s.addUser('carol');
    // Made-up credentials: none of them is carol's, so none of them is counted against her.
    for (let i = 0; i < 3 * BURST; i++) {
      expect((await form(s.url, '/auth/login', { token: `ggu_made-up-${i}` })).location).toBe('/login?error=invalid_token');
      expect((await form(s.url, '/auth/link', { code: `ggl_made-up-${i}` })).location).toBe('/login?error=link_expired');
      expect((await form(s.url, '/auth/logout', {}, `gg_session=made-up-${i}`)).location).toBe('/login');
    }
    for (let i = 1; i <= BURST; i++) {
      const signedIn = await form(s.url, '/auth/login', { token: carol.token });
      expect(signedIn.location, `sign-in ${i}`).toBe('/');
      expect(signedIn.setCookie).toMatch(/^gg_session=/);
    }
    // Past it, the login page says busy, and no session is made.
    const busy = await form(s.url, '/auth/login', { token: carol.token });
    expect(busy).toMatchObject({ status: 303, location: '/login?error=busy', setCookie: '' });
    expect((await setThreshold(s.url, carol.token, 1)).status).toBe(429);
  });

  it('a login link the budget refuses is left for later; a sign-out is never refused, and spends nothing', async () => {
    const dave = await s.addUser('dave');
    const session = cookieOf((await form(s.url, '/auth/login', { token: dave.token })).setCookie);
    for (let i = 2; i <= BURST; i++) expect((await setThreshold(s.url, dave.token, i)).status).toBe(200);
    const { path } = await loginLink(s.dataDir, dave.id);
    const code = new URL(path, s.url).searchParams.get('code') as string;
    expect((await form(s.url, '/auth/link', { code })).location).toBe('/login?error=busy');
    // Not used up: the link's page still opens.
    expect((await fetch(s.url + path, { redirect: 'manual' })).status).toBe(200);
    // Spent, and still the user can always end a session: that only takes access away.
    expect((await form(s.url, '/auth/logout', {}, session)).location).toBe('/login');
    const me = await fetch(`${s.url}/auth/me`, { headers: { cookie: session } });
    expect(me.status).toBe(401);
  });

  it("a login link's redemption is one change, its sign-in included", async () => {
    const frank = await s.addUser('frank');
    for (let i = 1; i < BURST; i++) expect((await setThreshold(s.url, frank.token, i)).status).toBe(200);
    const { path } = await loginLink(s.dataDir, frank.id);
    const code = new URL(path, s.url).searchParams.get('code') as string;
    const redeemed = await form(s.url, '/auth/link', { code });
    expect(redeemed.location).toBe('/');
    expect(redeemed.setCookie).toMatch(/^gg_session=/);
    expect((await setThreshold(s.url, frank.token, BURST)).status).toBe(429);
  });
});

describe('change budget: earned back', () => {
  let s: TestServer;
  beforeAll(async () => {
    // One a second: Retry-After is 1 s.
    s = await startTestServer({ autoTick: false, changeBudgetBurst: 2, changeBudgetPerMin: 60 });
  });
  afterAll(() => s?.close());

  it('a refused user changes again once Retry-After has passed', async () => {
    const erin = await s.addUser('erin');
    let accepted = 0;
    let refused: Answer | undefined;
    // At least the burst goes through; how many more depends on how fast the server answers (one earned a second).
    while (!refused && accepted < 100) {
      const r = await setThreshold(s.url, erin.token, accepted + 1);
      if (r.status === 429) refused = r;
      else {
        expect(r.status).toBe(200);
        accepted++;
      }
    }
    expect(accepted).toBeGreaterThanOrEqual(2);
    expect(refused?.retryAfter).toBe('1');
    await sleep(Number(refused?.retryAfter) * 1_000);
    expect((await setThreshold(s.url, erin.token, 1_000)).status).toBe(200);
    expect(await threshold(s.url, erin.token)).toBe(1_000);
  });
});

describe('gasgauge serve --change-budget / --change-budget-per-min', () => {
  afterAll(killServers);

  /** A server process with these flags, and the status of each of up to 200 changes by the admin, stopping at a 429. */
  async function changesOn(flags: string[]): Promise<number[]> {
    const server = await serveProcess(tempDir('gg-change-flag-'), {}, flags);
    const statuses: number[] = [];
    while (statuses.length < 200 && statuses.at(-1) !== 429)
      statuses.push((await setThreshold(server.url, server.adminToken as string, statuses.length)).status);
    await server.stop();
    return statuses;
  }

  it('the flags reach the server; 0 a minute turns the budget off', async () => {
    expect(await changesOn(['--change-budget', '3', '--change-budget-per-min', '1'])).toEqual([200, 200, 200, 429]);
    expect(await changesOn(['--change-budget', '1', '--change-budget-per-min', '0'])).toEqual(Array(200).fill(200));
  });

  it('an out-of-range value exits 2 naming its range', async () => {
    const data = tempDir('gg-change-range-');
    const burst = await gasgauge('serve', '--change-budget', '0', '--data', data);
    expect(burst.code).toBe(2);
    expect(burst.stderr).toContain('--change-budget must be from 1 to 1000000');
    const rate = await gasgauge('serve', '--change-budget-per-min', '1000001', '--data', data);
    expect(rate.code).toBe(2);
    expect(rate.stderr).toContain('--change-budget-per-min must be from 0 to 1000000');
  });
});

const cookieOf = (setCookie: string) => setCookie.split(';')[0] as string;

/** A one-time login link for the user, made in the control store as `gasgauge user login-link` does. */
async function loginLink(dataDir: string, userId: string): Promise<{ path: string }> {
  const sql = openSqlite(`${dataDir}/control.sqlite`);
  try {
    new Control(sql, () => Date.now());
    return await createLoginLink(new Sessions(sql, () => Date.now()), userId);
  } finally {
    sql.close();
  }
}
