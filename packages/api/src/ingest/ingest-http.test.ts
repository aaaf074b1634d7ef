import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { COUNTERS, Control } from '@gasgauge/core';
import { openSqlite } from '@gasgauge/server/sqlite';
import { type HttpResult, startTestServer, type TestServer, trpcPath } from '@gasgauge/server/testing/server';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken, newId, newUserToken } from '../auth/user-token.js';

const DAY = 86_400_000;
const STATUS_CODE: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
};

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

const usagePath = (townId: string) => `/api/towns/${townId}/usage`;

function rec(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: 'r1', agentId: 'a1', model: 'm', inputTokens: 1, outputTokens: 2, costMicrodollars: 3, at: Date.now(), ...over };
}

/** A REST error: status, the code of that status, a message, and `path` when given. */
function expectError(r: HttpResult, status: number, path?: string, message?: RegExp): void {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(Object.keys(r.body)).toEqual(['error']);
  expect(r.body.error.code).toBe(STATUS_CODE[status]);
  expect(r.body.error.message).toEqual(expect.any(String));
  if (path !== undefined) expect(r.body.error.path).toBe(path);
  if (message) expect(r.body.error.message).toMatch(message);
}

/** A tRPC error: HTTP status and the tRPC code name. */
function expectTrpcError(r: HttpResult, status: number, code: string): void {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body.error.data).toMatchObject({ code, httpStatus: status });
  expect(r.body.error.message).toEqual(expect.any(String));
}

/** Every counter summed over the last hour (plus the skew window), through REST. */
async function totals(townId: string): Promise<Record<string, number>> {
  const now = Date.now();
  const r = await s.get(`/api/towns/${townId}/metrics/timeseries?from=${now - 3_600_000}&to=${now + 10_000}&maxPoints=5000`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return Object.fromEntries(
    COUNTERS.map((c) => [c, (r.body.series[c] as (number | null)[]).reduce<number>((a, v) => a + (v ?? 0), 0)]),
  );
}

async function throughput(townId: string) {
  const r = await s.get(`/api/towns/${townId}/metrics/throughput`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

/** No ingest transaction ever committed in this town, and the server still answers. */
async function expectNothingStored(townId: string): Promise<void> {
  expect(Object.values(await totals(townId)).every((v) => v === 0)).toBe(true);
  expect(await throughput(townId)).toMatchObject({
    tokensPerSecond: 0,
    costMicrodollarsPerHour: 0,
    locAdditions: 0,
    locDeletions: 0,
    agentsTotal: 0,
    dataAgeMs: null,
  });
  expect((await s.get('/api/health', null)).status).toBe(200);
}

/** The server's HS256 key, as the CLI reads it. */
function serverKey(): Uint8Array {
  return new TextEncoder().encode(process.env.GASGAUGE_SECRET ?? readFileSync(join(s.dataDir, 'secret.key'), 'utf8').trim());
}

async function sign(claims: Record<string, unknown>, key: Uint8Array, iat: number, exp: number): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt(iat).setExpirationTime(exp).sign(key);
}

const nowS = () => Math.floor(Date.now() / 1000);

/**
 * A POST on its own connection (no keep-alive pool), for oversized bodies: the server never reads the
 * rest of such a body, so it answers 413 with `Connection: close` and drops the socket.
 * `chunks` are sent chunked, without Content-Length.
 */
function postOwnConnection(
  path: string,
  token: string,
  body: string | string[],
): Promise<HttpResult & { connection?: string | undefined }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    if (typeof body === 'string') headers['content-length'] = String(Buffer.byteLength(body));
    const req = httpRequest(s.url + path, { method: 'POST', agent: false, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        text += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), connection: res.headers.connection }));
    });
    // The server may stop reading once it has answered; a write error after the answer is expected.
    req.on('error', reject);
    for (const chunk of typeof body === 'string' ? [body] : body) req.write(chunk);
    req.end();
  });
}

describe('ingest auth', () => {
  let otherTown: string;
  let otherToken: string;
  let bobToken: string;

  beforeAll(async () => {
    otherTown = await s.createTown('other town');
    otherToken = await s.mint(otherTown);
    // A second user, made as `gasgauge user add` does, beside the running server.
    const sql = openSqlite(join(s.dataDir, 'control.sqlite'));
    try {
      const control = new Control(sql, Date.now);
      const bob = control.createUser(newId('user'), 'bob');
      bobToken = newUserToken();
      control.addToken(bob.id, await hashToken(bobToken), 'test');
    } finally {
      sql.close();
    }
  });

  it('accepts the minted token (control case)', async () => {
    const r = await s.post(usagePath(otherTown), { records: [rec({ id: 'ok' })] }, otherToken);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  });

  it('401 without an Authorization header, or with a malformed one', async () => {
    expectError(await s.post(usagePath(s.townId), { records: [rec()] }, null), 401, 'authorization');
    const res = await fetch(s.url + usagePath(s.townId), {
      method: 'POST',
      headers: { authorization: `Basic ${btoa('a:b')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ records: [rec()] }),
    });
    expectError({ status: res.status, body: await res.json() }, 401, 'authorization');
  });

  it('401 for a garbage token', async () => {
    expectError(await s.post(usagePath(s.townId), { records: [rec()] }, 'not-a-jwt'), 401, undefined, /invalid ingest token/);
    expectError(await s.post(usagePath(s.townId), { records: [rec()] }, 'a.b.c'), 401, undefined, /invalid ingest token/);
  });

  it('401 for a JWT signed with another key', async () => {
    const key = crypto.getRandomValues(new Uint8Array(32));
    const token = await sign({ town: s.townId, scope: 'ingest' }, key, nowS(), nowS() + 3600);
    expectError(await s.post(usagePath(s.townId), { records: [rec()] }, token), 401, undefined, /invalid ingest token/);
  });

  it('401 for an unsigned (alg none) token naming the town', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ town: s.townId, scope: 'ingest', iat: nowS(), exp: nowS() + 60 })}.`;
    expectError(await s.post(usagePath(s.townId), { records: [rec()] }, token), 401);
  });

  it('401 "expired" for an expired token signed with the server key', async () => {
    const token = await sign({ town: s.townId, scope: 'ingest' }, serverKey(), nowS() - 120, nowS() - 60);
    expectError(await s.post(usagePath(s.townId), { records: [rec()] }, token), 401, undefined, /expired/);
  });

  it('401 "expired" once a token that worked (and was cached) expires', async () => {
    const r = await s.post('/trpc/towns.mintIngestToken', { townId: otherTown, ttlSeconds: 2 }, s.adminToken);
    expect(r.status).toBe(200);
    const { token, expiresAt } = r.body.result.data as { token: string; expiresAt: number };
    expect((await s.post(usagePath(otherTown), { records: [rec({ id: 'short' })] }, token)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, expiresAt - Date.now() + 100));
    expectError(await s.post(usagePath(otherTown), { records: [rec({ id: 'short2' })] }, token), 401, undefined, /expired/);
  });

  it('401 for a server-signed token of the wrong scope or living longer than 8 h', async () => {
    const key = serverKey();
    const wrongScope = await sign({ town: s.townId, scope: 'read' }, key, nowS(), nowS() + 60);
    expectError(await s.post(usagePath(s.townId), { records: [rec()] }, wrongScope), 401);
    const noScope = await sign({ town: s.townId }, key, nowS(), nowS() + 60);
    expectError(await s.post(usagePath(s.townId), { records: [rec()] }, noScope), 401);
    const tooLong = await sign({ town: s.townId, scope: 'ingest' }, key, nowS(), nowS() + 8 * 3600 + 1);
    expectError(await s.post(usagePath(s.townId), { records: [rec()] }, tooLong), 401, undefined, /8 h/);
  });

  it('401 for a server-signed token issued in the future (past a minute of clock skew)', async () => {
    const key = serverKey();
    const year = 365 * 24 * 3600;
    const future = await sign({ town: s.townId, scope: 'ingest' }, key, nowS() + year, nowS() + year + 3600);
    expectError(await s.post(usagePath(s.townId), { records: [rec()] }, future), 401, undefined, /issued in the future/);
    const skewed = await sign({ town: s.townId, scope: 'ingest' }, key, nowS() + 30, nowS() + 3600);
    expect((await s.post(usagePath(s.townId), { records: [rec({ id: 'skewed-iat' })] }, skewed)).status).toBe(200);
  });

  it('403 for a token of another town, before the body is looked at', async () => {
    // It names the token's own town: a reporter's mistyped --town is then plain to see.
    const named = new RegExp(`^this token is for town ${otherTown}, not the one in the URL$`);
    expectError(await s.post(usagePath(s.townId), { records: [rec()] }, otherToken), 403, 'townId', named);
    expectError(await s.post(usagePath(s.townId), 'not json', otherToken), 403, 'townId');
    expectError(await s.post(`/api/towns/${s.townId}/loc`, { agents: [] }, otherToken), 403, 'townId');
    expectError(await s.post(`/api/towns/${s.townId}/events`, { events: [] }, otherToken), 403, 'townId');
  });

  it('404 for a valid token whose town does not exist', async () => {
    const ghost = 'town_doesnotexist0';
    const token = await sign({ town: ghost, scope: 'ingest' }, serverKey(), nowS(), nowS() + 60);
    expectError(await s.post(usagePath(ghost), { records: [rec()] }, token), 404, 'townId');
  });

  it('401 for a user ggu_ token on ingest, valid or not', async () => {
    expectError(
      await s.post(usagePath(s.townId), { records: [rec()] }, s.adminToken),
      401,
      undefined,
      /user tokens cannot ingest/,
    );
    expectError(await s.post(usagePath(s.townId), { records: [rec()] }, newUserToken()), 401);
  });

  it('401 for an ingest JWT on REST reads', async () => {
    const now = Date.now();
    for (const path of [
      '/api/towns',
      `/api/towns/${s.townId}/metrics/throughput`,
      `/api/towns/${s.townId}/metrics/timeseries?from=${now - 60_000}&to=${now}`,
    ]) {
      expectError(await s.get(path, s.ingestToken), 401, undefined, /user API token/);
    }
  });

  it('401 for an ingest JWT on tRPC reads and mutations', async () => {
    const now = Date.now();
    expectTrpcError(await s.get(trpcPath('towns.list'), s.ingestToken), 401, 'UNAUTHORIZED');
    expectTrpcError(
      await s.get(trpcPath('metrics.timeseries', { townId: s.townId, from: now - 60_000, to: now }), s.ingestToken),
      401,
      'UNAUTHORIZED',
    );
    expectTrpcError(await s.get(trpcPath('metrics.throughput', { townId: s.townId }), s.ingestToken), 401, 'UNAUTHORIZED');
    expectTrpcError(await s.post('/trpc/towns.create', { name: 'sneaky' }, s.ingestToken), 401, 'UNAUTHORIZED');
    expectTrpcError(await s.post('/trpc/towns.mintIngestToken', { townId: s.townId }, s.ingestToken), 401, 'UNAUTHORIZED');
  });

  it('401 for an unknown ggu_ token on reads', async () => {
    expectError(await s.get('/api/towns', newUserToken()), 401, undefined, /unknown API token/);
    expectTrpcError(await s.get(trpcPath('towns.list'), newUserToken()), 401, 'UNAUTHORIZED');
  });

  it("404 for another user's ggu_ token reading, or minting for, the first user's town", async () => {
    const now = Date.now();
    expect(await s.get('/api/towns', bobToken)).toEqual({ status: 200, body: [] });
    expectError(await s.get(`/api/towns/${s.townId}/metrics/throughput`, bobToken), 404, 'townId');
    expectError(await s.get(`/api/towns/${s.townId}/metrics/timeseries?from=${now - 60_000}&to=${now}`, bobToken), 404, 'townId');
    expectTrpcError(await s.get(trpcPath('metrics.throughput', { townId: s.townId }), bobToken), 404, 'NOT_FOUND');
    expectTrpcError(await s.post('/trpc/towns.mintIngestToken', { townId: s.townId }, bobToken), 404, 'NOT_FOUND');
    // Same answer as for a town that does not exist at all: existence does not leak.
    expectError(await s.get('/api/towns/town_nope/metrics/throughput', bobToken), 404, 'townId');
  });
});

describe('ingest bad input: a 4xx naming the field, nothing stored, the server still up', () => {
  let townId: string;
  let token: string;
  beforeAll(async () => {
    townId = await s.createTown('bad input');
    token = await s.mint(townId);
  });

  const without = (key: string) => {
    const r = rec();
    delete r[key];
    return r;
  };
  const small = (i: number) => ({ id: `r${i}`, agentId: 'a', model: 'm', inputTokens: 1, outputTokens: 0, costMicrodollars: 0 });
  const cases: { name: string; route: 'usage' | 'loc' | 'events'; body: () => unknown; status?: number; path: string }[] = [
    {
      name: 'negative tokens',
      route: 'usage',
      body: () => ({ records: [rec({ inputTokens: -1 })] }),
      path: 'records[0].inputTokens',
    },
    {
      name: 'fractional tokens',
      route: 'usage',
      body: () => ({ records: [rec({ outputTokens: 1.5 })] }),
      path: 'records[0].outputTokens',
    },
    {
      name: 'tokens 1e20',
      route: 'usage',
      body: () => ({ records: [rec({ inputTokens: 1e20 })] }),
      path: 'records[0].inputTokens',
    },
    {
      name: 'tokens just over 1e9',
      route: 'usage',
      body: () => ({ records: [rec({ cacheReadTokens: 1_000_000_001 })] }),
      path: 'records[0].cacheReadTokens',
    },
    {
      name: 'cost just over 1e10',
      route: 'usage',
      body: () => ({ records: [rec({ costMicrodollars: 10_000_000_001 })] }),
      path: 'records[0].costMicrodollars',
    },
    { name: 'missing at', route: 'usage', body: () => ({ records: [without('at')] }), path: 'records[0].at' },
    {
      name: 'at as an ISO string',
      route: 'usage',
      body: () => ({ records: [rec({ at: new Date().toISOString() })] }),
      path: 'records[0].at',
    },
    {
      name: 'inputTokens as a string',
      route: 'usage',
      body: () => ({ records: [rec({ inputTokens: '5' })] }),
      path: 'records[0].inputTokens',
    },
    // An unknown key is reported on its record; the message names the key (checked below).
    { name: 'unknown field inputToken', route: 'usage', body: () => ({ records: [rec({ inputToken: 5 })] }), path: 'records[0]' },
    {
      name: 'inputToken instead of inputTokens',
      route: 'usage',
      body: () => ({ records: [{ ...without('inputTokens'), inputToken: 5 }] }),
      path: 'records[0].inputTokens',
    },
    { name: 'bad mode', route: 'usage', body: () => ({ records: [rec({ mode: 'absolute' })] }), path: 'records[0].mode' },
    { name: 'empty id', route: 'usage', body: () => ({ records: [rec({ id: '' })] }), path: 'records[0].id' },
    { name: '0 records', route: 'usage', body: () => ({ records: [] }), path: 'records' },
    { name: 'no records key', route: 'usage', body: () => ({}), path: 'records' },
    {
      name: '5,001 records',
      route: 'usage',
      body: () => ({ records: Array.from({ length: 5001 }, (_, i) => ({ ...small(i), at: Date.now() })) }),
      path: 'records',
    },
    {
      name: 'a bad last record in an otherwise valid batch',
      route: 'usage',
      body: () => ({ records: [rec({ id: 'x1' }), rec({ id: 'x2' }), rec({ id: 'x3', costMicrodollars: -5 })] }),
      path: 'records[2].costMicrodollars',
    },
    { name: 'a non-JSON body', route: 'usage', body: () => '{"records": [', path: 'body' },
    { name: 'an empty body', route: 'usage', body: () => '', path: 'body' },
    { name: 'a JSON null body', route: 'usage', body: () => 'null', path: 'body' },
    { name: 'a JSON array body', route: 'usage', body: () => '[]', path: 'body' },
    {
      name: 'a 2 MiB body',
      route: 'usage',
      body: () => JSON.stringify({ records: [rec({ model: 'x'.repeat(2 * 1024 * 1024) })] }),
      status: 413,
      path: 'body',
    },
    {
      name: 'loc: negative additions',
      route: 'loc',
      body: () => ({ agents: [{ agentId: 'a', additions: -1, deletions: 0 }] }),
      path: 'agents[0].additions',
    },
    {
      name: 'loc: additions as a string',
      route: 'loc',
      body: () => ({ agents: [{ agentId: 'a', additions: '10', deletions: 0 }] }),
      path: 'agents[0].additions',
    },
    {
      name: 'loc: missing agentId',
      route: 'loc',
      body: () => ({ agents: [{ additions: 1, deletions: 0 }] }),
      path: 'agents[0].agentId',
    },
    {
      name: 'loc: fractional files in the second agent',
      route: 'loc',
      body: () => ({
        agents: [
          { agentId: 'a', additions: 1, deletions: 0 },
          { agentId: 'b', additions: 1, deletions: 0, files: 0.5 },
        ],
      }),
      path: 'agents[1].files',
    },
    { name: 'loc: 0 agents', route: 'loc', body: () => ({ agents: [] }), path: 'agents' },
    { name: 'loc: non-JSON', route: 'loc', body: () => 'agents=1', path: 'body' },
    {
      name: 'events: bad agent status',
      route: 'events',
      body: () => ({ events: [{ id: 'e1', at: Date.now(), type: 'agent', agentId: 'a', status: 'sleepy' }] }),
      path: 'events[0].status',
    },
    {
      name: 'events: bad bead status',
      route: 'events',
      body: () => ({ events: [{ id: 'e1', at: Date.now(), type: 'bead', beadId: 'b', status: 'done' }] }),
      path: 'events[0].status',
    },
    {
      name: 'events: bad type',
      route: 'events',
      body: () => ({ events: [{ id: 'e1', at: Date.now(), type: 'bogus', agentId: 'a', status: 'idle' }] }),
      path: 'events[0].type',
    },
    {
      name: 'events: missing id in the second event',
      route: 'events',
      body: () => ({
        events: [
          { id: 'e1', at: Date.now(), type: 'agent', agentId: 'a', status: 'idle' },
          { at: Date.now(), type: 'agent', agentId: 'a', status: 'idle' },
        ],
      }),
      path: 'events[1].id',
    },
    {
      name: 'events: a title over 1000 characters',
      route: 'events',
      body: () => ({
        events: [{ id: 'e1', at: Date.now(), type: 'bead', beadId: 'b', status: 'open', title: 't'.repeat(1001) }],
      }),
      path: 'events[0].title',
    },
    {
      name: "events: an id in the server's reserved namespace (budget events)",
      route: 'events',
      body: () => ({ events: [{ id: 'gasgauge:budget:1', at: Date.now(), type: 'note', name: 'n' }] }),
      path: 'events[0].id',
    },
    {
      name: 'events: at beyond the year 2286',
      route: 'events',
      body: () => ({ events: [{ id: 'e1', at: 1e16, type: 'note', name: 'n' }] }),
      path: 'events[0].at',
    },
    { name: 'events: 0 events', route: 'events', body: () => ({ events: [] }), path: 'events' },
    {
      name: 'events: 5,001 events',
      route: 'events',
      body: () => ({
        events: Array.from({ length: 5001 }, (_, i) => ({ id: `e${i}`, at: Date.now(), type: 'note', name: 'n' })),
      }),
      path: 'events',
    },
  ];

  it.each(cases)('$name', async ({ route, body, status = 400, path, name }) => {
    const b = body();
    const r =
      status === 413
        ? await postOwnConnection(`/api/towns/${townId}/${route}`, token, b as string)
        : await s.post(`/api/towns/${townId}/${route}`, b, token);
    expectError(r, status, path);
    if (status === 413) expect('connection' in r && r.connection).toBe('close');
    if (name === 'unknown field inputToken') expect(r.body.error.message).toContain('inputToken');
    await expectNothingStored(townId);
  });

  it('413 for a 2 MiB body streamed without Content-Length', async () => {
    const chunks = Array.from({ length: 32 }, (_, i) => (i === 0 ? '{"records": [' : '').padEnd(64 * 1024, ' '));
    expectError(await postOwnConnection(`/api/towns/${townId}/usage`, token, chunks), 413, 'body');
    await expectNothingStored(townId);
  });
});

describe('ingest of valid batches', () => {
  let townId: string;
  let token: string;
  beforeAll(async () => {
    townId = await s.createTown('valid batches');
    token = await s.mint(townId);
  });

  it('counts a mixed cumulative + delta batch exactly, and a retried batch once', async () => {
    const now = Date.now();
    const base = { agentId: 'a1', model: 'claude', reasoningTokens: 0, cacheReadTokens: 1000, cacheWriteTokens: 50 };
    const msg1 = { ...base, id: 'msg_1', mode: 'cumulative', inputTokens: 100 };
    const records = [
      { ...msg1, outputTokens: 10, costMicrodollars: 1000, at: now - 3000 }, // accepted
      { ...msg1, outputTokens: 50, reasoningTokens: 20, costMicrodollars: 1500, at: now - 2000 }, // accepted: +40 out, +20 reasoning, +500
      { ...msg1, outputTokens: 50, reasoningTokens: 20, costMicrodollars: 1500, at: now - 2000 }, // duplicate
      { ...msg1, outputTokens: 40, reasoningTokens: 20, costMicrodollars: 1500, at: now - 1500 }, // shrank: ignored
      {
        id: 'd_1',
        agentId: 'a2',
        model: 'gpt',
        mode: 'delta',
        inputTokens: 5,
        outputTokens: 7,
        costMicrodollars: 30,
        at: now - 1000,
      },
      {
        id: 'd_1',
        agentId: 'a2',
        model: 'gpt',
        mode: 'delta',
        inputTokens: 5,
        outputTokens: 7,
        costMicrodollars: 30,
        at: now - 1000,
      }, // duplicate
      {
        id: 'd_1',
        agentId: 'a2',
        model: 'gpt',
        mode: 'cumulative',
        inputTokens: 50,
        outputTokens: 70,
        costMicrodollars: 300,
        at: now,
      }, // mode differs: ignored
      {
        id: 'd_old',
        agentId: 'a2',
        model: 'gpt',
        mode: 'delta',
        inputTokens: 9,
        outputTokens: 9,
        costMicrodollars: 9,
        at: now - 401 * DAY,
      }, // tooOld
      {
        id: 'd_fut',
        agentId: 'a2',
        model: 'gpt',
        mode: 'delta',
        inputTokens: 3,
        outputTokens: 4,
        costMicrodollars: 9,
        at: now + 600_000,
      }, // skewed, counted now
      { id: 'msg_2', agentId: 'a1', model: 'claude', inputTokens: 10, outputTokens: 1, costMicrodollars: 11, at: now }, // accepted (mode defaults to cumulative)
    ];
    const expected = {
      input_tokens: 100 + 5 + 3 + 10,
      output_tokens: 50 + 7 + 4 + 1,
      reasoning_tokens: 20,
      cache_read_tokens: 1000,
      cache_write_tokens: 50,
      cost_microdollars: 1500 + 30 + 9 + 11,
    };

    const first = await s.post(usagePath(townId), { records }, token);
    expect(first).toEqual({ status: 200, body: { accepted: 5, duplicates: 2, ignored: 2, tooOld: 1, skewed: 1 } });
    expect(await totals(townId)).toMatchObject(expected);

    const retry = await s.post(usagePath(townId), { records }, token);
    expect(retry).toEqual({ status: 200, body: { accepted: 0, duplicates: 6, ignored: 3, tooOld: 1, skewed: 1 } });
    // Two more copies at once: still counted once.
    const both = await Promise.all([1, 2].map(() => s.post(usagePath(townId), { records }, token)));
    for (const r of both) expect(r.body.accepted).toBe(0);
    expect(await totals(townId)).toMatchObject({ ...expected, events: 0, beads_created: 0, beads_closed: 0 });

    const tp = await throughput(townId);
    const allTokens = 118 + 62 + 20 + 1000 + 50;
    expect(tp.tokensPerSecond).toBeCloseTo(allTokens / 300, 9);
    expect(tp.costMicrodollarsPerHour).toBe(1550 * 12);
    expect(tp.dataAgeMs).toBeGreaterThanOrEqual(0);
  });

  it('stores loc and events and answers their counts', async () => {
    const now = Date.now();
    const loc = await s.post(
      `/api/towns/${townId}/loc`,
      { agents: [{ agentId: 'a1', additions: 120, deletions: 30, files: 4 }] },
      token,
    );
    expect(loc).toEqual({ status: 200, body: { accepted: 1 } });
    const events = [
      { id: 'e1', at: now - 1000, type: 'agent', agentId: 'a1', status: 'working', beadId: 'b1' },
      { id: 'e2', at: now - 900, type: 'bead', beadId: 'b1', status: 'in_progress' },
      { id: 'e3', at: now - 500, type: 'bead', beadId: 'b1', status: 'closed' },
      { id: 'e4', at: now, type: 'note', name: 'deploy', data: { ok: true } },
    ];
    expect(await s.post(`/api/towns/${townId}/events`, { events }, token)).toEqual({
      status: 200,
      body: { accepted: 4, duplicates: 0, ignored: 0, tooOld: 0, skewed: 0 },
    });
    expect(await s.post(`/api/towns/${townId}/events`, { events }, token)).toEqual({
      status: 200,
      body: { accepted: 0, duplicates: 4, ignored: 0, tooOld: 0, skewed: 0 },
    });
    expect(await totals(townId)).toMatchObject({ events: 4, beads_created: 1, beads_closed: 1 });
    // a1 by its event, a2 by its usage a moment ago (an agent seen only through usage works while it has usage).
    expect(await throughput(townId)).toMatchObject({ locAdditions: 120, locDeletions: 30, agentsActive: 2, agentsTotal: 2 });
  });
});

describe('ingest token minted for one agent', () => {
  let townId: string;
  let token: string;
  beforeAll(async () => {
    townId = await s.createTown('agent scoped');
    token = await s.mint(townId, { agentId: 'a1' });
  });

  it('403 naming the first record of another agent, and stores nothing of the batch', async () => {
    const r = await s.post(
      usagePath(townId),
      { records: [rec({ id: 'x1', agentId: 'a1' }), rec({ id: 'x2', agentId: 'a2' })] },
      token,
    );
    expectError(r, 403, 'records[1].agentId', /a1/);
    const loc = await s.post(
      `/api/towns/${townId}/loc`,
      {
        agents: [
          { agentId: 'a1', additions: 1, deletions: 0 },
          { agentId: 'a2', additions: 1, deletions: 0 },
        ],
      },
      token,
    );
    expectError(loc, 403, 'agents[1].agentId');
    const events = [
      { id: 'e0', at: Date.now(), type: 'bead', beadId: 'b0', status: 'open', assigneeAgentId: 'a1' },
      { id: 'e1', at: Date.now(), type: 'agent', agentId: 'a1', status: 'working' },
      { id: 'e2', at: Date.now(), type: 'agent', agentId: 'a3', status: 'working' },
    ];
    expectError(await s.post(`/api/towns/${townId}/events`, { events }, token), 403, 'events[2].agentId');
    await expectNothingStored(townId);
  });

  it('403 for bead events not assigned to its agent and for notes; nothing of the batch stored', async () => {
    const own = { id: 'e0', at: Date.now(), type: 'agent', agentId: 'a1', status: 'working' };
    const refused: [Record<string, unknown>, string][] = [
      [{ id: 'b1', at: Date.now(), type: 'bead', beadId: 'b1', status: 'closed', assigneeAgentId: 'a2' }, 'assigneeAgentId'],
      [{ id: 'b2', at: Date.now(), type: 'bead', beadId: 'b2', status: 'closed', title: 'renamed' }, 'assigneeAgentId'],
      [{ id: 'n1', at: Date.now(), type: 'note', name: 'deploy', data: { by: 'a1' } }, 'type'],
    ];
    for (const [event, field] of refused) {
      const r = await s.post(`/api/towns/${townId}/events`, { events: [own, event] }, token);
      expectError(r, 403, `events[1].${field}`);
    }
    await expectNothingStored(townId);
    // A town-wide token of the same town writes all of them.
    const townWide = await s.mint(townId);
    const r = await s.post(`/api/towns/${townId}/events`, { events: [own, ...refused.map(([e]) => e)] }, townWide);
    expect(r.body).toMatchObject({ accepted: 4 });
  });

  it('403 for a bead assigned to another agent, even when the event names its own agent as assignee', async () => {
    const townWide = await s.mint(townId);
    const at = Date.now();
    const assigned = { id: 'take-0', at, type: 'bead', beadId: 'taken', status: 'in_progress', assigneeAgentId: 'a2' };
    expect((await s.post(`/api/towns/${townId}/events`, { events: [assigned] }, townWide)).status).toBe(200);
    const takeover = { id: 'take-1', at: at + 1, type: 'bead', beadId: 'taken', status: 'closed', assigneeAgentId: 'a1' };
    expectError(
      await s.post(`/api/towns/${townId}/events`, { events: [takeover] }, token),
      403,
      'events[0].beadId',
      /another agent/,
    );
    // Its own bead, and an unassigned one it picks up, are fine.
    const unassigned = { id: 'free-0', at, type: 'bead', beadId: 'free', status: 'open' };
    expect((await s.post(`/api/towns/${townId}/events`, { events: [unassigned] }, townWide)).status).toBe(200);
    const pickUp = { id: 'free-1', at: at + 1, type: 'bead', beadId: 'free', status: 'in_progress', assigneeAgentId: 'a1' };
    expect((await s.post(`/api/towns/${townId}/events`, { events: [pickUp] }, token)).body).toMatchObject({ accepted: 1 });
  });

  it("accepts the agent's own records", async () => {
    const r = await s.post(usagePath(townId), { records: [rec({ id: 'own', agentId: 'a1', inputTokens: 7 })] }, token);
    expect(r).toEqual({ status: 200, body: { accepted: 1, duplicates: 0, ignored: 0, tooOld: 0, skewed: 0 } });
    expect((await totals(townId)).input_tokens).toBe(7);
  });
});

// Found as a new self-hoster: a token sent without "Bearer " (curl -H "Authorization: $TOKEN", or an exporter's
// OTEL_EXPORTER_OTLP_HEADERS="Authorization=ggi_…") was answered "missing Authorization: Bearer credential".
describe('an Authorization header without the Bearer scheme', () => {
  it('is a 401 saying how to write it, on ingest, reads and OTLP, and never echoes the credential', async () => {
    for (const [method, path] of [
      ['POST', usagePath(s.townId)],
      ['GET', `/api/towns/${s.townId}/metrics/throughput`],
      ['GET', `/api/towns/${s.townId}/metrics/prometheus`],
      ['POST', '/v1/metrics'],
    ] as const) {
      const credential = path.includes('usage') ? s.ingestToken : s.adminToken;
      const res = await fetch(s.url + path, {
        method,
        headers: { authorization: credential, 'content-type': 'application/json' },
        ...(method === 'POST' ? { body: JSON.stringify({ records: [rec()] }) } : {}),
      });
      const text = await res.text();
      expect(res.status, text).toBe(401);
      expect(JSON.parse(text).error.message).toContain(
        'the Authorization header holds no Bearer credential: write it as "Authorization: Bearer TOKEN"',
      );
      expect(text).not.toContain(credential);
      const none = await fetch(s.url + path, { method, headers: { 'content-type': 'application/json' } });
      expect(JSON.parse(await none.text()).error.message).toBe('missing Authorization: Bearer credential');
    }
  });
});
