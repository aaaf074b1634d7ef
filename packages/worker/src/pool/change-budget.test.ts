import { exports } from 'cloudflare:workers';
import { DEFAULT_CHANGE_BUDGET_BURST } from '@gasgauge/api';
import { expect, it } from 'vitest';
import { POOL_ADMIN as ADMIN, call } from './call.js';

/** A change that stores what it was sent: the account's low-balance threshold. */
const setThreshold = (token: string, micro: number) =>
  call('POST', '/trpc/billing.setAlertSettings', token, { lowBalanceMicrodollars: micro });
const threshold = async (token: string) =>
  (await call('GET', `/trpc/billing.alertSettings?input=${encodeURIComponent('{}')}`, token)).body.result.data
    .lowBalanceMicrodollars as number;

/** The browser's sign-in form: where it sends the browser. */
async function signIn(token: string): Promise<string | null> {
  const res = await exports.default.fetch('http://w.test/auth/login', {
    method: 'POST',
    headers: { origin: 'http://w.test', host: 'w.test', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
    redirect: 'manual',
  });
  const text = await res.text();
  if (res.status !== 303) throw new Error(`sign-in: HTTP ${res.status} ${text}`);
  return res.headers.get('location');
}

const newUser = async (name: string) =>
  (await call('POST', '/trpc/users.create', ADMIN, { name })).body.result.data.token as string;

// The pool's CHANGE_BUDGET_PER_MIN is 1 (vitest.config.ts): no change is earned back while this test runs.
it(`the Worker counts each user's changes: ${DEFAULT_CHANGE_BUDGET_BURST} at once, the next refused 429 naming the budget, nothing stored; another user and reads go on`, async () => {
  const user = await newUser('change-budget-user');
  const other = await newUser('change-budget-other');
  for (let i = 1; i <= DEFAULT_CHANGE_BUDGET_BURST; i++) expect((await setThreshold(user, i)).status, `change ${i}`).toBe(200);
  const refused = await setThreshold(user, DEFAULT_CHANGE_BUDGET_BURST + 1);
  expect(refused.status).toBe(429);
  expect(refused.body.error.message).toMatch(
    new RegExp(
      `^change budget spent: .*\\(${DEFAULT_CHANGE_BUDGET_BURST} at once, 1 a minute\\); nothing was changed; retry in \\d+ s$`,
    ),
  );
  expect(refused.body.error.data).toMatchObject({ code: 'TOO_MANY_REQUESTS', httpStatus: 429 });
  expect(refused.retryAfter).toBe(String(refused.body.error.data.retryAfterSeconds));
  expect(await threshold(user)).toBe(DEFAULT_CHANGE_BUDGET_BURST);
  // A sign-in is a change of its user: the login page says busy.
  expect(await signIn(user)).toBe('/login?error=busy');
  // Made-up tokens spend nobody's budget; another user changes and signs in at once.
  expect(await signIn('ggu_made-up')).toBe('/login?error=invalid_token');
  expect((await setThreshold(other, 3)).status).toBe(200);
  expect(await signIn(other)).toBe('/');
  expect(await threshold(other)).toBe(3);
}, 60_000);
