import { request as httpRequest, METHODS } from 'node:http';
import { startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoutes } from '../testing/app-routes.js';

/*
 * Whatever method a client sends, no route answers 5xx. TRACE to /trpc or /auth was a 500: the Fetch
 * standard forbids the method, so rebuilding its Request (a buffered body, tRPC's adapter) threw.
 */
let s: TestServer;
let key: string;
beforeAll(async () => {
  s = await startTestServer({ autoTick: false });
  const r = await s.post('/trpc/towns.createKey', { townId: s.townId, name: 'methods' }, s.adminToken);
  key = r.body.result.data.key;
});
afterAll(async () => {
  await s?.close();
});

/** Every path pattern the app registers, made concrete; tRPC by two procedures (a query and a mutation). */
function paths(): string[] {
  const out = new Set<string>(['/', '/login', '/assets/none.js', '/trpc/towns.list', '/trpc/towns.create']);
  for (const r of appRoutes()) {
    if (r.path === '/*' || r.path === '/trpc/*' || r.path === '/auth/*') continue;
    out.add(r.path.replace(':townId', s.townId).replace(':key', key).replace(':beadId', 'b'));
  }
  return [...out];
}

/** One request of any method (fetch refuses TRACE and CONNECT), with every credential and a small JSON body. */
function send(method: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    // Node refuses a TRACE that has a body (400) before the app sees it.
    const body = ['GET', 'HEAD', 'TRACE'].includes(method) ? undefined : '{}';
    const req = httpRequest(
      s.url + path,
      {
        method,
        agent: false,
        headers: {
          authorization: `Bearer ${path.startsWith('/v1/') || path.startsWith('/api/towns/') ? s.ingestToken : s.adminToken}`,
          origin: s.url,
          ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': '2' }),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('every method on every route', () => {
  // CONNECT never reaches the app: Node hands it to the server's 'connect' listener, and closes the socket without one.
  const methods = METHODS.filter((m) => m !== 'CONNECT');

  it('is never answered 5xx', async () => {
    const failures: string[] = [];
    for (const path of paths())
      for (const method of methods) {
        const status = await send(method, path);
        // A 503 from /readyz is its answer: this server's scheduler is stopped (autoTick off).
        if (status >= 500 && !(status === 503 && path === '/readyz')) failures.push(`${method} ${path}: ${status}`);
      }
    expect(failures).toEqual([]);
  }, 60_000);

  it('TRACE is no route of the API', async () => {
    for (const path of ['/trpc/towns.list', '/auth/login', '/api/towns']) expect(await send('TRACE', path)).toBe(404);
  });
});
