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

/**
 * zod's `.int()` refuses past 2^53 − 1 and says so first; a 400 gives the field's own bound instead, the one
 * docs/api.md states, so a client is not told that 9007199254740991 tokens would do. REST (parseOrThrow), tRPC
 * (the error formatter) and a REST mirror of a procedure (unwrap) each report the issue so.
 */
describe('a number past 2^53 is refused with its field’s own bound', () => {
  const record = (over: Record<string, unknown>) => ({
    id: 'big',
    agentId: 'big-agent',
    model: 'm',
    inputTokens: 1,
    outputTokens: 1,
    costMicrodollars: 1,
    at: Date.now(),
    ...over,
  });
  it.each([
    ['inputTokens', 2 ** 53, 'records[0].inputTokens: Too big: expected number to be <=1000000000'],
    ['costMicrodollars', 1e308, 'records[0].costMicrodollars: Too big: expected number to be <=10000000000'],
    ['at', 2 ** 60, 'records[0].at: Too big: expected number to be <=10000000000000'],
    ['outputTokens', -1e308, 'records[0].outputTokens: Too small: expected number to be >=0'],
  ])('REST ingest: %s = %d', async (field, value, message) => {
    const r = await s.post(`/api/towns/${s.townId}/usage`, { records: [record({ [field]: value })] });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error).toEqual({ code: 'bad_request', message, path: `records[0].${field}` });
    const agents = await s.get(trpcPath('metrics.agents', { townId: s.townId }));
    expect(agents.body.result.data.agents).toEqual([]);
  });

  it('tRPC mutation: ttlSeconds = 1e308 → its bound, 28800', async () => {
    const r = await s.post('/trpc/towns.mintIngestToken', { townId: s.townId, ttlSeconds: 1e308 }, s.adminToken);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error.message).toBe('ttlSeconds: Too big: expected number to be <=28800');
    expect(r.body.error.data.path).toBe('ttlSeconds');
  });

  it('tRPC query: maxPoints = 2^53 → its bound, 5000', async () => {
    const r = await s.get(trpcPath('metrics.timeseries', { townId: s.townId, from: 0, to: 1, maxPoints: 2 ** 53 }));
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error.message).toBe('maxPoints: Too big: expected number to be <=5000');
  });

  it('REST mirror of a procedure: ?maxPoints=99999999999999999 → its bound, 5000', async () => {
    const r = await s.get(`/api/towns/${s.townId}/metrics/timeseries?from=0&to=1&maxPoints=99999999999999999`);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error).toEqual({
      code: 'bad_request',
      message: 'maxPoints: Too big: expected number to be <=5000',
      path: 'maxPoints',
    });
  });

  it('a bound of its own at 2^53 − 1 is still reported (capMicrodollars)', async () => {
    // clock-free: the budget here is refused; no spend is measured against it.
    const r = await s.post('/trpc/towns.setBudget', { townId: s.townId, capMicrodollars: 2 ** 53, period: 'day' }, s.adminToken);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error.data.path).toBe('capMicrodollars');
    expect(r.body.error.message).toMatch(/^capMicrodollars: Too big: expected (int|number) to be <=9007199254740991$/);
  });
});
