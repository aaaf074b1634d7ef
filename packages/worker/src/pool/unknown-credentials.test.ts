import { exports } from 'cloudflare:workers';
import { afterEach, expect, it, vi } from 'vitest';
import { UNKNOWN_LOOKUPS_BURST, UNKNOWN_LOOKUPS_PER_SECOND } from '../unknown-credentials.js';
import { POOL_ADMIN as ADMIN, call } from './call.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** The isolate's clock held still (Workers' Date.now), so the bucket refills only when a test moves it. */
function holdClock(): (ms: number) => void {
  let now = Date.now();
  vi.spyOn(Date, 'now').mockImplementation(() => now);
  return (ms) => {
    now += ms;
  };
}

const signIn = (token: string) =>
  exports.default.fetch('http://w.test/auth/login', {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: 'http://w.test', host: 'w.test', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  });

it(`a flood of made-up credentials reaches the control object ${UNKNOWN_LOOKUPS_BURST} times, then gets 429s with Retry-After on every route; a real token read before it still reads`, async () => {
  const advance = holdClock();
  const { body } = await call('POST', '/trpc/towns.create', ADMIN, { name: 'flooded town' });
  const townId = body.result.data.id as string;
  const key = (await call('POST', '/trpc/towns.createKey', ADMIN, { townId, name: 'real key' })).body.result.data.key as string;

  const flood = await Promise.all(
    Array.from({ length: UNKNOWN_LOOKUPS_BURST + 50 }, (_, i) => call('GET', '/trpc/towns.list', `ggu_made-up-${i}`)),
  );
  const refused = flood.filter((a) => a.status === 429);
  // The admin's first lookup drew on the same bucket; nothing else did.
  expect(flood.filter((a) => a.status === 401).length).toBeLessThanOrEqual(UNKNOWN_LOOKUPS_BURST);
  expect(refused.length).toBeGreaterThanOrEqual(50);
  expect(refused.length + flood.filter((a) => a.status === 401).length).toBe(flood.length);
  for (const a of refused) {
    expect(a.retryAfter).toBe('1');
    expect(a.body.error.data).toMatchObject({ httpStatus: 429, path: 'credential', retryAfterSeconds: 1 });
  }

  // Unknown ingest keys, OTLP exports and sign-ins are turned away alike, before any control-object call.
  const usage = await call('POST', `/api/towns/${townId}/usage`, 'ggi_made-up', { records: [] });
  expect(usage.status).toBe(429);
  const otlp = await exports.default.fetch('http://w.test/v1/logs', {
    method: 'POST',
    headers: { authorization: 'Bearer ggi_made-up-otlp', 'content-type': 'application/json' },
    body: '{"resourceLogs":[]}',
  });
  expect(otlp.status).toBe(429);
  expect(otlp.headers.get('retry-after')).toBe('1');
  const login = await signIn('ggu_made-up-login');
  expect(login.status).toBe(303);
  expect(login.headers.get('location')).toBe('/login?error=busy');
  // Sign-out too, a browser's form, not a page of JSON (its session not ended: the cookie stays for another try).
  const logout = await exports.default.fetch('http://w.test/auth/logout', {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: 'http://w.test', host: 'w.test', cookie: 'gg_session=ggs_made-up-session' },
  });
  expect(logout.status).toBe(303);
  expect(logout.headers.get('location')).toBe('/login?error=busy');
  expect(logout.headers.get('set-cookie')).toBeNull();

  // Credentials found before the flood, and a key stored through this isolate, are not held up by it.
  expect((await call('GET', '/trpc/towns.list', ADMIN)).status).toBe(200);
  const records = [{ id: 'r1', agentId: 'a', model: 'm', inputTokens: 1, outputTokens: 1, costMicrodollars: 1, at: Date.now() }];
  expect((await call('POST', `/api/towns/${townId}/usage`, key, { records })).status).toBe(200);

  // A tenth of a second later the bucket has refilled by a tenth of its rate: that many get their 401 again.
  advance(100);
  const later = await Promise.all(
    Array.from({ length: UNKNOWN_LOOKUPS_PER_SECOND / 10 }, (_, i) => call('GET', '/trpc/towns.list', `ggu_later-${i}`)),
  );
  expect(later.map((a) => a.status)).toEqual(later.map(() => 401));
  expect((await call('GET', '/trpc/towns.list', 'ggu_one-too-many')).status).toBe(429);
});
