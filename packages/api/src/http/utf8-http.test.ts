import { type HttpResult, startTestServer, type TestServer, trpcPath } from '@gasgauge/server/testing/server';
import type { Context } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJson, readWebBody } from './body.js';

/*
 * Invalid UTF-8 and lone surrogates in a body are a 400 naming where, on every route that reads one:
 * a lossy decode would store distinct ids as the same U+FFFD string.
 */

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

const utf8 = (text: string) => Buffer.from(text, 'utf8');

/** A POST with raw bytes as the body. */
async function postBytes(path: string, body: Buffer, token: string): Promise<HttpResult> {
  const res = await fetch(s.url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: new Uint8Array(body),
  });
  return { status: res.status, body: await res.json() };
}

/** A usage batch whose one record has the id given as raw bytes. */
function usageWithId(id: Buffer): Buffer {
  const rest = `","agentId":"a","model":"m","inputTokens":5,"outputTokens":0,"costMicrodollars":0,"at":${Date.now()},"mode":"delta"}]}`;
  return Buffer.concat([utf8('{"records":[{"id":"'), id, utf8(rest)]);
}

async function inputTokens(): Promise<number> {
  const now = Date.now();
  const r = await s.get(`/api/towns/${s.townId}/metrics/timeseries?from=${now - 600_000}&to=${now + 10_000}`);
  expect(r.status).toBe(200);
  return (r.body.series.input_tokens as (number | null)[]).reduce<number>((a, v) => a + (v ?? 0), 0);
}

function expectBadRequest(r: HttpResult, path: string): void {
  expect(r.status, JSON.stringify(r.body)).toBe(400);
  expect(r.body.error).toMatchObject({ code: 'bad_request', path });
}

describe('ingest bodies', () => {
  const usage = `/api/towns/{town}/usage`;
  const path = () => usage.replace('{town}', s.townId);

  it('400 for invalid UTF-8 (two ids that a lossy decode would merge), nothing stored', async () => {
    for (const bad of [
      Buffer.from([0x61, 0xff]),
      Buffer.from([0x61, 0xfe]),
      Buffer.from([0x61, 0xc0, 0x80]),
      Buffer.from([0xed, 0xa0, 0x80]),
    ]) {
      expectBadRequest(await postBytes(path(), usageWithId(bad), s.ingestToken), 'body');
    }
    const loc = Buffer.concat([utf8('{"agents":[{"agentId":"'), Buffer.from([0xff]), utf8('","additions":1,"deletions":0}]}')]);
    expectBadRequest(await postBytes(`/api/towns/${s.townId}/loc`, loc, s.ingestToken), 'body');
    expect(await inputTokens()).toBe(0);
    expect((await s.get('/api/health', null)).status).toBe(200);
  });

  it('400 naming the field for a lone surrogate escape, in values and keys; a pair is text', async () => {
    expectBadRequest(await postBytes(path(), usageWithId(utf8('a\\ud800')), s.ingestToken), 'records[0].id');
    expectBadRequest(await postBytes(path(), usageWithId(utf8('\\udc00b')), s.ingestToken), 'records[0].id');
    const note = { events: [{ id: 'n1', at: Date.now(), type: 'note', name: 'ok', data: { nested: ['x', 'y\ud800'] } }] };
    expectBadRequest(await s.post(`/api/towns/${s.townId}/events`, note), 'events[0].data.nested[1]');
    const key = { events: [{ id: 'n2', at: Date.now(), type: 'note', name: 'ok', data: { '\udfff': 1 } }] };
    expectBadRequest(await s.post(`/api/towns/${s.townId}/events`, key), 'events[0].data');
    expect(await inputTokens()).toBe(0);
    const ok = await postBytes(path(), usageWithId(utf8('emoji-\\ud83d\\ude00-é')), s.ingestToken);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(await inputTokens()).toBe(5);
  });

  it('a body nested 100,000 deep is a 400, not a stack overflow', async () => {
    const deep = `{"records":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expectBadRequest(await postBytes(path(), utf8(deep), s.ingestToken), 'body');
  });
});

/** 1 MiB of JSON nested as deep as it fits, with a lone surrogate at the bottom, under `key`. */
function deepLoneSurrogate(key: string): Buffer {
  const depth = Math.floor((1024 * 1024 - key.length - 16) / 2);
  return utf8(`{"${key}":${'['.repeat(depth)}"\\ud800"${']'.repeat(depth)}}`);
}

describe('deep bodies with a lone surrogate at the bottom', () => {
  // Its path was built a level at a time (unshift: quadratic), then the walk and the parse: one 1 MiB body held the
  // event loop 36 s on an ingest route, and any user's tRPC mutation (before any budget) the same.
  it('are refused for their nesting before they are parsed, while the server answers others', async () => {
    const before = await inputTokens();
    for (const [route, body, token] of [
      [`/api/towns/${s.townId}/usage`, deepLoneSurrogate('records'), s.ingestToken],
      ['/trpc/towns.create', deepLoneSurrogate('name'), s.adminToken],
    ] as const) {
      const started = Date.now();
      const refused = postBytes(route, body, token);
      const health = await s.get('/healthz', null);
      expect(health.status).toBe(200);
      const r = await refused;
      expectBadRequest(r, 'body');
      expect(r.body.error.message).toBe('JSON nested at most 128 lists and objects deep');
      expect(Date.now() - started, route).toBeLessThan(5_000);
    }
    expect(await inputTokens()).toBe(before);
  }, 120_000);
});

describe('tRPC bodies and inputs', () => {
  it('400 for invalid UTF-8 in a mutation body, and for a lone surrogate in any input', async () => {
    const create = Buffer.concat([utf8('{"name":"town'), Buffer.from([0xff]), utf8('"}')]);
    const r = await postBytes('/trpc/towns.create', create, s.adminToken);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    const lone = await s.post('/trpc/towns.create', { name: 'town\ud800' }, s.adminToken);
    expect([lone.status, lone.body.error.data.path]).toEqual([400, 'name']);
    const query = await s.get(trpcPath('metrics.throughput', { townId: 'x\udc00' }));
    expect([query.status, query.body.error.data.path]).toEqual([400, 'townId']);
    const towns = await s.get('/trpc/towns.list');
    expect(towns.body.result.data.map((t: { name: string }) => t.name)).toEqual(['test town']);
  });
});

describe('URLs', () => {
  it('400 naming the parameter (or path) for a percent escape that is not UTF-8; its %25 spelling still reads', async () => {
    const beads = `/api/towns/${s.townId}`;
    for (const bad of ['%FF', '%C0%80', '%ED%A0%80', '%E2%82', '%zz']) {
      expectBadRequest(await s.get(`${beads}/beads/a${bad}`), 'path');
      expectBadRequest(await s.get(`${beads}/bead?beadId=a${bad}`), 'beadId');
      expectBadRequest(await s.get(`${beads}/bead?${bad}=1&beadId=a`), 'query');
    }
    expectBadRequest(
      await s.get(`/trpc/beads.get?input=%7B%22townId%22%3A%22${s.townId}%22%2C%22beadId%22%3A%22a%FF%22%7D`),
      'input',
    );
    // The message names the part, never the URL (an OTLP path holds an ingest key).
    const otlp = await s.get('/otlp/secret-key%FF/v1/metrics');
    expectBadRequest(otlp, 'path');
    expect(JSON.stringify(otlp.body)).not.toContain('secret');
    // Spelled as a client spells a literal `%`, the same names are names: an unknown bead, not a refusal.
    expect((await s.get(`${beads}/beads/a%25FF`)).status).toBe(404);
    expect((await s.get(`${beads}/bead?beadId=a%25FF`)).status).toBe(404);
    expect((await s.get(`${beads}/bead?beadId=caf%C3%A9`)).status).toBe(404);
    expect((await s.get('/api/health', null)).status).toBe(200);
  });
});

describe('/auth form bodies', () => {
  it('400 for invalid UTF-8 in the sign-in form; a valid form still answers with its redirect', async () => {
    const login = (body: Buffer) =>
      fetch(`${s.url}/auth/login`, {
        method: 'POST',
        headers: { origin: s.url, 'content-type': 'application/x-www-form-urlencoded' },
        body: new Uint8Array(body),
        redirect: 'manual',
      });
    const bad = await login(Buffer.concat([utf8('token=ggu_'), Buffer.from([0xff])]));
    expect([bad.status, (await bad.json()).error.path]).toEqual([400, 'body']);
    const wrong = await login(utf8('token=ggu_wrong'));
    expect([wrong.status, wrong.headers.get('location')]).toEqual([303, '/login?error=invalid_token']);
  });
});

describe('the Web-standard body reader (hosts other than Node)', () => {
  const context = (body: Buffer) =>
    ({
      req: { header: () => undefined, raw: new Request('http://x/', { method: 'POST', body: new Uint8Array(body) }) },
    }) as unknown as Context;

  it('reads the bytes as sent; the API refuses invalid UTF-8 and decodes valid UTF-8', async () => {
    expect([...(await readWebBody(context(Buffer.from([0x7b, 0xff, 0x7d])), 100))]).toEqual([0x7b, 0xff, 0x7d]);
    await expect(readJson(context(Buffer.from([0x7b, 0xff, 0x7d])), readWebBody)).rejects.toMatchObject({
      status: 400,
      path: 'body',
    });
    expect(await readJson(context(utf8('{"é":"😀"}')), readWebBody)).toEqual({ é: '😀' });
  });
});
