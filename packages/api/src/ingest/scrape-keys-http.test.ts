import { Control } from '@gasgauge/core';
import { openSqlite } from '@gasgauge/server/sqlite';
import { type HttpResult, startTestServer, type TestServer, trpcPath } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEGACY_SCRAPE_KEY_PREFIX } from '../auth/ingest-key.js';
import { base64url, hashToken } from '../auth/user-token.js';

/**
 * Read-only scrape keys (`ggp_…`, and the legacy `ggs_…`): accepted on the town's Prometheus endpoint and nowhere else; ingest
 * keys (`ggi_…`) are accepted on ingest and nowhere else. The 401/403 matrix, every cell on real HTTP.
 */
let s: TestServer;
let other: string;
const keys: Record<'ingest' | 'scrape' | 'legacyScrape' | 'otherScrape' | 'revoked', string> = {
  ingest: '',
  scrape: '',
  legacyScrape: '',
  otherScrape: '',
  revoked: '',
};
beforeAll(async () => {
  s = await startTestServer({ autoTick: false });
  other = await s.createTown('other town');
  const create = async (townId: string, name: string, kind?: 'scrape') => {
    const r = await s.post('/trpc/towns.createKey', { townId, name, ...(kind ? { kind } : {}) }, s.adminToken);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.result.data as { key: string; kind: string };
  };
  keys.ingest = (await create(s.townId, 'writer')).key;
  const scrape = await create(s.townId, 'grafana', 'scrape');
  expect(scrape).toMatchObject({ kind: 'scrape', key: expect.stringMatching(/^ggp_[A-Za-z0-9_-]{64}$/) });
  keys.scrape = scrape.key;
  // A key made before scrape keys had their own prefix: stored as the hash of its whole `ggs_…` text.
  keys.legacyScrape = LEGACY_SCRAPE_KEY_PREFIX + base64url(crypto.getRandomValues(new Uint8Array(32)));
  const sql = openSqlite(`${s.dataDir}/control.sqlite`);
  try {
    new Control(sql, () => Date.now()).ingestKeys.create(
      await hashToken(keys.legacyScrape),
      s.townId,
      'old grafana',
      null,
      'scrape',
    );
  } finally {
    sql.close();
  }
  keys.otherScrape = (await create(other, 'grafana', 'scrape')).key;
  keys.revoked = (await create(s.townId, 'old', 'scrape')).key;
  expect((await s.post('/trpc/towns.revokeKey', { townId: s.townId, name: 'old' }, s.adminToken)).status).toBe(200);
});
afterAll(async () => {
  await s?.close();
});

const record = () => ({
  id: `r${Math.random()}`,
  agentId: 'a',
  model: 'm',
  inputTokens: 1,
  outputTokens: 0,
  costMicrodollars: 0,
  at: Date.now(),
});
const routes: Record<string, (credential: string) => Promise<HttpResult>> = {
  prometheus: (c) => s.get(`/api/towns/${s.townId}/metrics/prometheus`, c),
  usage: (c) => s.post(`/api/towns/${s.townId}/usage`, { records: [record()] }, c),
  otlp: async (c) => {
    const res = await fetch(`${s.url}/v1/metrics`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c}`, 'content-type': 'application/json' },
      body: '{}',
    });
    return { status: res.status, body: await res.json() };
  },
  timeseries: (c) => s.get(`/api/towns/${s.townId}/metrics/timeseries?from=0&to=1000`, c),
  trpc: (c) => s.get(trpcPath('towns.listKeys', { townId: s.townId }), c),
};

describe('scrape keys', () => {
  it.each([
    // credential, prometheus, usage, otlp, timeseries, trpc
    ['scrape', 200, 401, 401, 401, 401],
    ['legacyScrape', 200, 401, 401, 401, 401],
    ['ingest', 401, 200, 200, 401, 401],
    ['otherScrape', 403, 401, 401, 401, 401],
    ['revoked', 401, 401, 401, 401, 401],
  ] as const)('a %s key: prometheus %i, usage %i, OTLP %i, timeseries %i, tRPC %i', async (who, ...expected) => {
    const credential = keys[who];
    const statuses = [];
    for (const route of Object.values(routes)) statuses.push((await route(credential)).status);
    expect(statuses).toEqual(expected);
  });

  it('the URL form /otlp/<key>/v1/metrics refuses a scrape key', async () => {
    const res = await fetch(`${s.url}/otlp/${keys.scrape}/v1/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(401);
  });

  it('a scrape key takes no agent, and is listed with its kind', async () => {
    const r = await s.post(
      '/trpc/towns.createKey',
      { townId: s.townId, name: 'bad', kind: 'scrape', agentId: 'a' },
      s.adminToken,
    );
    expect(r.status).toBe(400);
    expect(r.body.error.data.path).toBe('agentId');
    const list = (await s.get(trpcPath('towns.listKeys', { townId: s.townId }))).body.result.data as {
      name: string;
      kind: string;
    }[];
    expect(list.map((k) => [k.name, k.kind])).toEqual([
      ['writer', 'ingest'],
      ['grafana', 'scrape'],
      ['old grafana', 'scrape'],
    ]);
  });

  it('the scrape answer is the same as the owner token gets', async () => {
    const byKey = await s.get(`/api/towns/${s.townId}/metrics/prometheus`, keys.scrape);
    const byUser = await s.get(`/api/towns/${s.townId}/metrics/prometheus`);
    expect(byKey.body).toEqual(byUser.body);
  });
});
