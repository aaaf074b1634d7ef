import { MAX_QUERY_EPOCH_MS } from '@gasgauge/core';
import { type HttpResult, startTestServer, type TestServer, trpcPath } from '@gasgauge/server/testing/server';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * Property: whatever from/to/maxPoints/tz a client sends to the timeseries or the breakdown, REST or
 * tRPC, the answer is a 200 or a 400 naming one of those fields, and the server stays up.
 */

const DAY = 86_400_000;
const NOW = Date.now();

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
  const usage = {
    records: [{ id: 'r1', agentId: 'a1', model: 'm', inputTokens: 1, outputTokens: 1, costMicrodollars: 1, at: NOW }],
  };
  expect((await s.post(`/api/towns/${s.townId}/usage`, usage)).status).toBe(200);
});
afterAll(async () => {
  await s?.close();
});

const time = fc.oneof(
  fc.constantFrom(0, 1, NOW, NOW - 400 * DAY, MAX_QUERY_EPOCH_MS, MAX_QUERY_EPOCH_MS + 1, 8.64e15, Number.MAX_SAFE_INTEGER),
  fc.integer({ min: 0, max: MAX_QUERY_EPOCH_MS }),
  fc.integer({ min: NOW - 800 * DAY, max: NOW + DAY }),
  fc.integer(),
  fc.double({ noNaN: true }),
);
const maxPoints = fc.option(fc.oneof(fc.integer({ min: -2, max: 6000 }), fc.constantFrom(1, 5000, 1e20)), { nil: undefined });
const tz = fc.option(
  fc.oneof(
    fc.constantFrom(
      'UTC',
      'utc',
      'America/New_York',
      'Asia/Kathmandu',
      'Pacific/Chatham',
      'Australia/Lord_Howe',
      'America/Santiago',
    ),
    fc.constantFrom('Nope/Zone', '', 'x'.repeat(65), '+05:30', 'Etc/GMT+14', '../etc'),
    fc.string({ maxLength: 12 }),
  ),
  { nil: undefined },
);
const query = fc.record({ from: time, to: time, maxPoints, tz });
type Query = { from: number; to: number; maxPoints: number | undefined; tz: string | undefined };

const FIELDS = ['from', 'to', 'maxPoints', 'tz'];

function expectOkOrFieldError(r: HttpResult, trpc: boolean, q: Query): void {
  const what = `${JSON.stringify(q)} → ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`;
  expect([200, 400], what).toContain(r.status);
  if (r.status === 200) return;
  const path = trpc ? r.body.error.data.path : r.body.error.path;
  expect(FIELDS, what).toContain(path);
}

function restPath(q: Query): string {
  const params = new URLSearchParams({ from: String(q.from), to: String(q.to) });
  if (q.maxPoints !== undefined) params.set('maxPoints', String(q.maxPoints));
  if (q.tz !== undefined) params.set('tz', q.tz);
  return `/api/towns/${s.townId}/metrics/timeseries?${params}`;
}

function input(q: Query): Record<string, unknown> {
  return { townId: s.townId, ...q };
}

describe('timeseries and breakdown ranges', () => {
  it('the reported attack: the whole safe-integer range in UTC days is a 400 on to, not a 500', async () => {
    const r = await s.get(`/api/towns/${s.townId}/metrics/timeseries?from=0&to=9007199254740991&tz=UTC`);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error.path).toBe('to');
    const widest = await s.get(
      `/api/towns/${s.townId}/metrics/timeseries?from=0&to=${MAX_QUERY_EPOCH_MS}&tz=Asia/Kathmandu&maxPoints=5000`,
    );
    expect(widest.status, JSON.stringify(widest.body)).toBe(200);
  });

  it('maxPoints 1 across local 1970-01-01 midnight is a 400 naming maxPoints (buckets align there), not a 500', async () => {
    const across = await s.get(`/api/towns/${s.townId}/metrics/timeseries?from=0&to=43200001&maxPoints=1&tz=America/New_York`);
    expect([across.status, across.body.error?.path]).toEqual([400, 'maxPoints']);
    const two = await s.get(`/api/towns/${s.townId}/metrics/timeseries?from=0&to=43200001&maxPoints=2&tz=America/New_York`);
    expect(two.status, JSON.stringify(two.body)).toBe(200);
    const after = await s.get(
      `/api/towns/${s.townId}/metrics/timeseries?from=18000000&to=43200001&maxPoints=1&tz=America/New_York`,
    );
    expect(after.status, JSON.stringify(after.body)).toBe(200);
  });

  it('a missing from or to is a 400 saying it is required, not that a string was expected', async () => {
    for (const [query, field] of [
      ['', 'from'],
      ['from=0', 'to'],
      ['to=1&maxPoints=3', 'from'],
    ] as const) {
      const r = await s.get(`/api/towns/${s.townId}/metrics/timeseries?${query}`);
      expect([r.status, r.body]).toEqual([
        400,
        { error: { code: 'bad_request', message: `${field}: is required (an integer in the query string)`, path: field } },
      ]);
    }
    const bad = await s.get(`/api/towns/${s.townId}/metrics/timeseries?from=x&to=1`);
    expect([bad.status, bad.body.error.message]).toEqual([400, 'from: must be an integer']);
  });

  it('an unknown tz is a 400 naming tz at sub-day steps too', async () => {
    const hour = `from=${NOW - 3_600_000}&to=${NOW}`;
    const r = await s.get(`/api/towns/${s.townId}/metrics/timeseries?${hour}&tz=Nope/Zone`);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error.path).toBe('tz');
    const b = await s.get(
      trpcPath('metrics.breakdown', {
        townId: s.townId,
        from: NOW - 3_600_000,
        to: NOW,
        tz: 'Nope/Zone',
        by: 'agent',
        metric: 'cost',
      }),
    );
    expect(b.status, JSON.stringify(b.body)).toBe(400);
    expect(b.body.error.data.path).toBe('tz');
  });

  it('any from/to/maxPoints/tz: 200 or 400 naming the field (REST, tRPC timeseries and breakdown)', async () => {
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        expectOkOrFieldError(await s.get(restPath(q)), false, q);
        expectOkOrFieldError(await s.get(trpcPath('metrics.timeseries', input(q))), true, q);
        const by = { by: 'model', metric: 'tokens' };
        expectOkOrFieldError(await s.get(trpcPath('metrics.breakdown', { ...input(q), ...by })), true, q);
      }),
      { numRuns: 120 },
    );
    expect((await s.get('/api/health', null)).status).toBe(200);
  });
});
