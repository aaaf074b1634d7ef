import { exports } from 'cloudflare:workers';

/** The admin token the pool's workerd runs with (vitest.config.ts: GASGAUGE_ADMIN_TOKEN). */
export const POOL_ADMIN = 'ggu_pool-test-admin-token';

/** One request to the Worker under test, inside workerd: its status, Retry-After and JSON answer. */
export async function call(method: 'GET' | 'POST', path: string, token: string, body?: unknown) {
  const res = await exports.default.fetch(`http://w.test${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON response shapes
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as any };
}
