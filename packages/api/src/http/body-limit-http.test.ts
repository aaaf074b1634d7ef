import { request as httpRequest } from 'node:http';
import { startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authFormBudget, MAX_AUTH_FORM_BYTES } from '../auth/routes.js';
import { appRoutes } from '../testing/app-routes.js';
import { type BodyBudget, bodyBudget, MAX_BODY_BYTES } from './body.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

/** How to send a body a route will read: a concrete path and the credentials that get past auth. */
interface Family {
  path: string;
  headers: () => Record<string, string>;
  /** A valid body of exactly `bytes` bytes (padding included), which the route accepts. */
  body: (bytes: number) => string;
  ok: number;
  /** The route's body limit (MAX_BODY_BYTES unless the family has a smaller one). */
  limit: number;
  /** The bodies-in-flight budget its bodies are taken from. */
  budget: BodyBudget;
}

const pad = (head: string, tail: string, bytes: number) => head + ' '.repeat(bytes - head.length - tail.length) + tail;
const json = { 'content-type': 'application/json' };

/** Every route that may read a body belongs to one family; a new one fails the scan until it is added here. */
const FAMILIES: Record<string, Family> = {
  ingest: {
    path: '/api/towns/{townId}/events',
    headers: () => ({ ...json, authorization: `Bearer ${s.ingestToken}` }),
    body: (bytes) => pad(`{"events": [{"id": "edge-${bytes}", "at": ${Date.now()}, "type": "note", "name": "n"}]`, '}', bytes),
    ok: 200,
    limit: MAX_BODY_BYTES,
    budget: bodyBudget,
  },
  trpc: {
    path: '/trpc/towns.create',
    headers: () => ({ ...json, authorization: `Bearer ${s.adminToken}` }),
    body: (bytes) => pad(`{"name": "edge ${bytes}"`, '}', bytes),
    ok: 200,
    limit: MAX_BODY_BYTES,
    budget: bodyBudget,
  },
  // Every OTLP route (`/v1/metrics|logs`, `/otlp/:key/v1/…`) reads through one bounded reader.
  otlp: {
    path: '/v1/metrics',
    headers: () => ({ ...json, authorization: `Bearer ${s.ingestToken}` }),
    body: (bytes) => pad('{"resourceMetrics": []', '}', bytes),
    ok: 200,
    limit: MAX_BODY_BYTES,
    budget: bodyBudget,
  },
  // Taken and not read, but read through the same bounded reader first.
  traces: {
    path: '/v1/traces',
    headers: () => ({ ...json, authorization: `Bearer ${s.ingestToken}` }),
    body: (bytes) => pad('{"resourceSpans": []', '}', bytes),
    ok: 200,
    limit: MAX_BODY_BYTES,
    budget: bodyBudget,
  },
  auth: {
    path: '/auth/login',
    headers: () => ({ 'content-type': 'application/x-www-form-urlencoded', origin: s.url }),
    body: (bytes) => pad(`token=${s.adminToken}&pad=`, '', bytes).replaceAll(' ', 'x'),
    ok: 303,
    limit: MAX_AUTH_FORM_BYTES,
    budget: authFormBudget,
  },
};

function familyOf(path: string): Family | undefined {
  if (path.startsWith('/api/towns/:townId/')) return FAMILIES.ingest;
  if (path.startsWith('/trpc')) return FAMILIES.trpc;
  if (path.startsWith('/auth')) return FAMILIES.auth;
  if (/^(\/otlp\/:key)?\/v1\/(metrics|logs)$/.test(path)) return FAMILIES.otlp;
  if (/^(\/otlp\/:key)?\/v1\/traces$/.test(path)) return FAMILIES.traces;
  return undefined;
}

/** The API's routes and middleware that answer methods with a body, as `createApp` registers them. */
function bodyRoutes(): { method: string; path: string }[] {
  const seen = new Map<string, { method: string; path: string }>();
  // `/*` is the access log's middleware, on every request; it reads no body.
  for (const r of appRoutes()) if (r.method !== 'GET' && r.path !== '/*') seen.set(`${r.method} ${r.path}`, r);
  return [...seen.values()];
}

interface Sent {
  status: number;
  body: unknown;
  connection: string | undefined;
}

/**
 * One POST on its own connection. `chunks` of `chunkBytes` are written as the socket drains, sent
 * chunked unless `contentLength` is given; writing stops once the server has answered (it stops
 * reading an oversized body and closes the connection, so a write error after the answer is expected).
 */
function post(
  path: string,
  headers: Record<string, string>,
  body: { text?: string; chunks?: number; chunkBytes?: number; contentLength?: number },
): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    if (body.text !== undefined) h['content-length'] = String(Buffer.byteLength(body.text));
    if (body.contentLength !== undefined) h['content-length'] = String(body.contentLength);
    let answered = false;
    const req = httpRequest(s.url + path.replace('{townId}', s.townId), { method: 'POST', agent: false, headers: h }, (res) => {
      answered = true;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        text += d;
      });
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {}
        resolve({ status: res.statusCode ?? 0, body: parsed, connection: res.headers.connection });
      });
    });
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    if (body.text !== undefined) {
      req.end(body.text);
      return;
    }
    const chunk = Buffer.alloc(body.chunkBytes ?? 64 * 1024, 0x20);
    let left = body.chunks ?? 0;
    const pump = () => {
      while (left > 0 && !answered && !req.destroyed) {
        left--;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered && !req.destroyed) req.end();
    };
    pump();
  });
}

function expect413(r: Sent, limit = MAX_BODY_BYTES): void {
  expect(r.status, JSON.stringify(r.body)).toBe(413);
  expect(r.body).toEqual({
    error: { code: 'payload_too_large', message: `body is larger than ${limit} bytes`, path: 'body' },
  });
  expect(r.connection).toBe('close');
}

const routes = bodyRoutes();

describe('the body limit holds on every route that reads a body', () => {
  it('knows every such route', () => {
    expect(routes.length).toBeGreaterThan(0);
    for (const r of routes) expect(familyOf(r.path), `${r.method} ${r.path}: add it to FAMILIES with credentials`).toBeDefined();
  });

  describe.each(Object.entries(FAMILIES))('%s', (_name, f) => {
    it('accepts a body of exactly the limit', async () => {
      const r = await post(f.path, f.headers(), { text: f.body(f.limit) });
      expect(r.status, JSON.stringify(r.body)).toBe(f.ok);
    });

    it('413 for one byte more, with Content-Length', async () => {
      expect413(await post(f.path, f.headers(), { text: f.body(f.limit + 1) }), f.limit);
    });

    it('413 for a Content-Length over the limit, before the body arrives', async () => {
      expect413(await post(f.path, f.headers(), { contentLength: 100 * MAX_BODY_BYTES, chunks: 1 }), f.limit);
    });

    it('413 for 2 MiB chunked, without Content-Length', async () => {
      expect413(await post(f.path, f.headers(), { chunks: 32, chunkBytes: 64 * 1024 }), f.limit);
    });

    it('503 while the bodies in flight fill its budget, and its bytes come back', async () => {
      // As if slow clients held all of it: the next body must be refused, not buffered beside them.
      const held = f.budget.limit - f.budget.inUse - 1000;
      f.budget.take(held);
      try {
        const r = await post(f.path, f.headers(), { text: f.body(2000) });
        expect(r.status, JSON.stringify(r.body)).toBe(503);
        expect(r.body).toMatchObject({ error: { code: 'unavailable', path: 'body' } });
        expect(r.connection).toBe('close');
      } finally {
        f.budget.give(held);
      }
      expect(f.budget.inUse).toBe(0);
      expect((await post(f.path, f.headers(), { text: f.body(2000) })).status).toBe(f.ok);
    });

    it('a Content-Length that understates the body gets only that many bytes read', async () => {
      const r = await post(f.path, f.headers(), { contentLength: 10, chunks: 32 });
      expect(r.status).toBeGreaterThanOrEqual(200);
      expect(r.status).toBeLessThan(500);
      expect((await s.get('/api/health', null)).status).toBe(200);
    });
  });

  it('forms posted before any credential cannot take the budget that ingest needs', async () => {
    const held = authFormBudget.limit;
    authFormBudget.take(held);
    try {
      const auth = FAMILIES.auth as Family;
      expect((await post(auth.path, auth.headers(), { text: auth.body(2000) })).status).toBe(503);
      for (const name of ['ingest', 'trpc', 'otlp']) {
        const f = FAMILIES[name] as Family;
        expect((await post(f.path, f.headers(), { text: f.body(2000) })).status, name).toBe(f.ok);
      }
    } finally {
      authFormBudget.give(held);
    }
  });

  it('8 parallel 100 MB chunked bodies to tRPC cost the server no more than a few MiB', async () => {
    const before = process.memoryUsage().rss;
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        post(FAMILIES.trpc?.path ?? '', FAMILIES.trpc?.headers() ?? {}, { chunks: 1600, chunkBytes: 64 * 1024 }),
      ),
    );
    for (const r of results) expect413(r);
    const grown = process.memoryUsage().rss - before;
    console.log(`8 parallel 100 MB tRPC bodies: RSS grew ${(grown / 2 ** 20).toFixed(1)} MiB`);
    expect(grown).toBeLessThan(64 * 1024 * 1024);
    expect((await s.get('/api/health', null)).status).toBe(200);
  });
});
