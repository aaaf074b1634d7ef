import { Control } from '@gasgauge/core';
import { openSqlite } from '@gasgauge/server/sqlite';
import { type HttpResult, startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_CACHE_TTL_MS } from '../auth/ingest-key.js';

/**
 * A verified ingest key is remembered for KEY_CACHE_TTL_MS (no control-store lookup per request), over a
 * real server and its control file: a revoke made beside the server (as `gasgauge key revoke` does, so
 * the server's memory is not told) holds within the TTL; one made through the server holds at once.
 */
let s: TestServer;
const now = { t: Date.now() };
beforeAll(async () => {
  s = await startTestServer({ autoTick: false, clock: () => now.t });
});
afterAll(async () => {
  await s?.close();
});

const ok = (r: HttpResult) => {
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.result?.data ?? r.body;
};
const createKey = async (name: string, kind: 'ingest' | 'scrape' = 'ingest') =>
  (ok(await s.post('/trpc/towns.createKey', { townId: s.townId, name, kind }, s.adminToken)) as { key: string }).key;
let seq = 0;
const usage = (key: string) =>
  s.post(
    `/api/towns/${s.townId}/usage`,
    { records: [{ id: `c${seq++}`, agentId: 'a', model: 'm', inputTokens: 1, outputTokens: 1, costMicrodollars: 1, at: now.t }] },
    key,
  );
const scrape = (key: string) => s.get(`/api/towns/${s.townId}/metrics/prometheus`, key);

/** Revokes a key in the control file beside the running server, as the CLI does. */
function revokeBeside(name: string): void {
  const sql = openSqlite(`${s.dataDir}/control.sqlite`);
  try {
    new Control(sql, Date.now).ingestKeys.revoke(s.townId, name);
  } finally {
    sql.close();
  }
}

describe('verified ingest keys are remembered', () => {
  it('a key revoked beside the server still writes within the TTL (no lookup per request) and is 401 once it ends', async () => {
    const key = await createKey('beside');
    expect((await usage(key)).status).toBe(200);
    revokeBeside('beside');
    now.t += KEY_CACHE_TTL_MS - 1;
    expect((await usage(key)).status).toBe(200);
    now.t += 1;
    const refused = await usage(key);
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toMatch(/revoked/);
  });

  it('a scrape key likewise', async () => {
    const key = await createKey('scraper', 'scrape');
    expect((await scrape(key)).status).toBe(200);
    revokeBeside('scraper');
    expect((await scrape(key)).status).toBe(200);
    now.t += KEY_CACHE_TTL_MS;
    expect((await scrape(key)).status).toBe(401);
  });

  it('a revoke through the server is 401 at once on ingest and scrape, though both keys were remembered', async () => {
    const key = await createKey('revoked here');
    const scrapeKey = await createKey('scraper here', 'scrape');
    expect((await usage(key)).status).toBe(200);
    expect((await scrape(scrapeKey)).status).toBe(200);
    ok(await s.post('/trpc/towns.revokeKey', { townId: s.townId, name: 'revoked here' }, s.adminToken));
    ok(await s.post('/trpc/towns.revokeKey', { townId: s.townId, name: 'scraper here' }, s.adminToken));
    expect((await usage(key)).status).toBe(401);
    expect((await scrape(scrapeKey)).status).toBe(401);
  });

  it('an unknown key is asked every time: a key created after it was refused works at once', async () => {
    // Not remembered as refused, so nothing an attacker sends stays in memory; the key below is new anyway.
    expect((await usage(`ggi_${'y'.repeat(43)}`)).status).toBe(401);
    const key = await createKey('fresh');
    expect((await usage(key)).status).toBe(200);
  });
});
