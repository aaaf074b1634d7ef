import { env, exports } from 'cloudflare:workers';
import {
  hashToken,
  INGEST_KEY_PREFIX,
  mintIngestToken,
  newId,
  newUserToken,
  SESSION_PREFIX,
  secretVouch,
  USER_TOKEN_PREFIX,
  untaggedSecret,
} from '@gasgauge/api';
import { afterEach, expect, it, vi } from 'vitest';
import type { ControlMethod } from '../control.js';
import { CONTROL_NAME } from '../control-do.js';
import { fromRemote } from '../remote-error.js';
import { UNKNOWN_LOOKUPS_BURST } from '../unknown-credentials.js';
import { POOL_ADMIN as ADMIN, call } from './call.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** vitest.config.ts's GASGAUGE_SECRET: the key this deployment's tags are made with. */
const SECRET = new TextEncoder().encode('test-secret-test-secret-test-secret');
const vouch = secretVouch(SECRET);

/**
 * A change made in the control object directly, as another isolate (or a deploy before this one) would make it:
 * this isolate has never seen the credential it stores.
 */
async function elsewhere(method: ControlMethod, ...args: unknown[]): Promise<unknown> {
  return fromRemote(await env.CONTROL.get(env.CONTROL.idFromName(CONTROL_NAME)).call(method, args));
}

const records = () => [
  { id: newId('r'), agentId: 'a', model: 'm', inputTokens: 1, outputTokens: 1, costMicrodollars: 1, at: Date.now() },
];
const me = (cookie: string) => exports.default.fetch('http://w.test/auth/me', { headers: { cookie: `gg_session=${cookie}` } });

it(`with the bound spent by ${UNKNOWN_LOOKUPS_BURST + 60} made-up credentials, a real user's never-seen token, session and ingest key still get through at once; an untagged one waits its turn; a revoked tagged one is refused once, then counted`, async () => {
  // The isolate's clock held still, so the bucket does not refill while the test runs.
  const now = Date.now();
  vi.spyOn(Date, 'now').mockImplementation(() => now);
  const townId = (await call('POST', '/trpc/towns.create', ADMIN, { name: 'vouched town' })).body.result.data.id as string;
  const adminId = (await call('GET', '/auth/me', ADMIN)).body.user.id as string;

  // Credentials this deployment minted elsewhere: tagged with its secret, stored in the control object only.
  const token = await vouch.mint(USER_TOKEN_PREFIX);
  const user = (await elsewhere('createUser', newId('user'), 'vouched', false, await hashToken(token), 'test')) as { id: string };
  const session = await vouch.mint(SESSION_PREFIX);
  await elsewhere('createSession', await hashToken(session), user.id);
  const key = await vouch.mint(INGEST_KEY_PREFIX);
  await elsewhere('createIngestKey', await hashToken(key), townId, 'vouched key', null, 'ingest');
  // Made before tags: as real, but of the untagged shape.
  const legacy = newUserToken();
  await elsewhere('addToken', user.id, await hashToken(legacy), 'before tags');
  // A tagged token, revoked elsewhere (replaced by another) before this isolate ever saw it.
  const revoked = await vouch.mint(USER_TOKEN_PREFIX);
  const leaker = (await elsewhere('createUser', newId('user'), 'leaker', false, await hashToken(revoked), 'test')) as {
    id: string;
  };
  await elsewhere('replaceTokens', leaker.id, await hashToken(newUserToken()), 'replacement');
  // An ingest token an admin's never-seen (untagged) API token minted: its signature vouches for that holder.
  const holderToken = newUserToken();
  await elsewhere('addToken', adminId, await hashToken(holderToken), 'holder');
  const jwt = (
    await mintIngestToken(SECRET, {
      townId,
      ttlSeconds: 3600,
      now,
      holder: { userId: adminId, credential: `t:${await hashToken(holderToken)}` },
    })
  ).token;

  // The flood: untagged made-up tokens, made-up ones of the tagged shape, and tokens tagged under another secret.
  const other = secretVouch(new TextEncoder().encode('another-secret-another-secret-another'));
  const madeUp = await Promise.all(
    Array.from({ length: UNKNOWN_LOOKUPS_BURST + 60 }, async (_, i) =>
      i % 3 === 0
        ? untaggedSecret(USER_TOKEN_PREFIX)
        : i % 3 === 1
          ? USER_TOKEN_PREFIX + untaggedSecret('gg_').slice(3) + 'A'.repeat(21)
          : other.mint(USER_TOKEN_PREFIX),
    ),
  );
  const flood = await Promise.all(madeUp.map((t) => call('GET', '/trpc/towns.list', t)));
  expect(flood.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(60);
  expect(flood.every((a) => a.status === 401 || a.status === 429)).toBe(true);
  expect((await call('GET', '/trpc/towns.list', untaggedSecret(USER_TOKEN_PREFIX))).status).toBe(429);

  // The real user's tagged credentials, never seen by this isolate, get through at once.
  expect((await call('GET', '/trpc/towns.list', token)).status).toBe(200);
  const bySession = await me(session);
  expect(bySession.status).toBe(200);
  expect(((await bySession.json()) as { user: { id: string } }).user.id).toBe(user.id);
  expect((await call('POST', `/api/towns/${townId}/usage`, key, { records: records() })).status).toBe(200);
  expect((await call('POST', `/api/towns/${townId}/usage`, jwt, { records: records() })).status).toBe(200);

  // The untagged real token waits its turn like any credential the isolate has not seen.
  const waits = await call('GET', '/trpc/towns.list', legacy);
  expect(waits.status).toBe(429);
  expect(waits.body.error.data).toMatchObject({ path: 'credential', retryAfterSeconds: 1 });

  // The revoked tagged token: its first lookup is free and refused (401); after that it counts against the bucket.
  expect((await call('GET', '/trpc/towns.list', revoked)).status).toBe(401);
  expect((await call('GET', '/trpc/towns.list', revoked)).status).toBe(429);

  // A second later the bucket holds 100 again: the untagged token is let in, and the revoked one gets its 401.
  vi.spyOn(Date, 'now').mockImplementation(() => now + 1000);
  expect((await call('GET', '/trpc/towns.list', legacy)).status).toBe(200);
  expect((await call('GET', '/trpc/towns.list', revoked)).status).toBe(401);
});
