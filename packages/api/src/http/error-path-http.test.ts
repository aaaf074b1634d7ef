import { startTestServer, type TestServer, trpcPath } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ autoTick: false });
});
afterAll(async () => {
  await s?.close();
});

/** A 400 about the whole input (not one field of it) names `input` on tRPC and `body` on REST, never "" or null. */
describe('a 400 about the whole input names it', () => {
  it.each([
    ['an unknown top-level key', { name: 'x', extra: 1 }],
    ['a string instead of an object', '"x"'],
    ['an array instead of an object', [{ name: 'x' }]],
    ['text that is not JSON', '{"name":'],
  ])('tRPC mutation: %s → path input', async (_, body) => {
    const r = await s.post('/trpc/towns.create', body, s.adminToken);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error.data.path).toBe('input');
  });

  it('tRPC query with input that is not JSON → path input', async () => {
    const r = await s.get(`/trpc/metrics.throughput?input=${encodeURIComponent('{"townId":')}`);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error.data.path).toBe('input');
  });

  it('tRPC query with an unknown key → path input, message names the key', async () => {
    const r = await s.get(trpcPath('metrics.throughput', { townId: s.townId, extra: 1 }));
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error.data.path).toBe('input');
    expect(r.body.error.message).toBe('input: Unrecognized key: "extra"');
  });

  it('REST ingest with an unknown top-level key → path body', async () => {
    const record = { id: 'r', agentId: 'a', model: 'm', inputTokens: 1, outputTokens: 1, costMicrodollars: 1, at: Date.now() };
    const r = await s.post(`/api/towns/${s.townId}/usage`, { records: [record], extra: 1 });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error.path).toBe('body');
  });
});
