import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpResult } from '../../../server/src/testing/server.js';
import { client } from '../testing/client.js';
import { type Host, hostsWith } from '../testing/hosts.js';

/** Three changes at once, four a minute: a refused change waits at most 15 s. */
const BURST = 3;
const PER_MIN = 4;
const HOSTS_WITH_BUDGET = hostsWith({ changeBudgetBurst: BURST, changeBudgetPerMin: PER_MIN });

/** A change that stores what it was sent: the account's low-balance threshold. */
const setThreshold = (c: ReturnType<typeof client>, token: string, micro: number) =>
  c.mutate('billing.setAlertSettings', { lowBalanceMicrodollars: micro }, token);

/** The refusal with its wait (the one thing that depends on how fast each host answered) written out. */
function withoutWait(r: HttpResult): unknown {
  return JSON.parse(
    JSON.stringify(r.body)
      .replace(/retry in \d+ s/, 'retry in N s')
      .replace(/"retryAfterSeconds":\d+/, '"retryAfterSeconds":"N"'),
  );
}

async function signIn(h: Host, token: string): Promise<string | null> {
  const res = await fetch(`${h.url}/auth/login`, {
    method: 'POST',
    headers: { origin: h.url, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
    redirect: 'manual',
  });
  await res.arrayBuffer();
  return res.headers.get('location');
}

/**
 * Every change (tRPC mutation, sign-in) is counted per user on both hosts alike: the same burst goes through, the
 * next change gets the same 429 body naming the change budget and stores nothing, and after Retry-After a change
 * goes through again.
 */
describe(`every host counts a user's changes alike (${BURST} at once, ${PER_MIN} a minute)`, () => {
  const hosts: { h: Host; c: ReturnType<typeof client>; user: string }[] = [];

  beforeAll(async () => {
    for (const [, start] of HOSTS_WITH_BUDGET) {
      const h = await start();
      const c = client(h);
      // The admin's one change here (the Node test server made two of its own at start).
      hosts.push({ h, c, user: (await c.user('spender')).token });
    }
  }, 180_000);
  afterAll(() => Promise.all(hosts.map(({ h }) => h.close())));

  it('accepts the burst, refuses the next change with the same 429 and stores nothing, and accepts again after Retry-After', async () => {
    const refusals: HttpResult[] = [];
    const waits: number[] = [];
    for (const { h, c, user } of hosts) {
      for (let i = 1; i <= BURST; i++) {
        const r = await setThreshold(c, user, i);
        expect(r.status, `${h.url} change ${i}: ${JSON.stringify(r.body)}`).toBe(200);
      }
      const refused = await setThreshold(c, user, BURST + 1);
      expect(refused.status, JSON.stringify(refused.body)).toBe(429);
      refusals.push(refused);
      waits.push(refused.body.error.data.retryAfterSeconds as number);
      // Nothing stored; a sign-in is a change too.
      expect((await c.query('billing.alertSettings', {}, user)).body.result.data.lowBalanceMicrodollars).toBe(BURST);
      expect(await signIn(h, user)).toBe('/login?error=busy');
    }
    const [node, worker] = refusals.map(withoutWait);
    expect(worker).toEqual(node);
    expect(node).toMatchObject({
      error: {
        message: `change budget spent: you have made more changes than your share (${BURST} at once, ${PER_MIN} a minute); nothing was changed; retry in N s`,
        data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429, retryAfterSeconds: 'N' },
      },
    });
    for (const wait of waits) {
      expect(wait).toBeGreaterThanOrEqual(1);
      expect(wait).toBeLessThanOrEqual(60 / PER_MIN);
    }
    // Both hosts' waits at once: then each takes the change.
    await new Promise((resolve) => setTimeout(resolve, Math.max(...waits) * 1_000));
    for (const { c, user } of hosts) {
      expect((await setThreshold(c, user, 100)).status).toBe(200);
      expect((await c.query('billing.alertSettings', {}, user)).body.result.data.lowBalanceMicrodollars).toBe(100);
    }
  }, 120_000);
});
