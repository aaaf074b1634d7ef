import { MAX_HOUR_TOKENS, MAX_RECORD_TOKENS } from '@gasgauge/core';
import { startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_QUEUED_ITEMS } from '../ingest/group-commit.js';
import { MAX_OTLP_IN_FLIGHT } from './routes.js';
import { OTLP } from './schema.js';
import { JSON_TYPE, PROTO, post, tokenUsageExport, totals, townWithKey } from './testing/town.js';

/**
 * Load shedding on a real server whose group commits wait (writeDelayMs), so requests pile up as
 * they would behind a slow disk: past the OTLP slots a 429, past the town's queue a 503, both with
 * Retry-After; and one point past an hour bound rejected alone.
 */
const HOLD_MS = 2000;
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ autoTick: false, writeDelayMs: HOLD_MS });
});
afterAll(async () => {
  await s?.close();
});

const at = Date.now() - 60_000;
const delta = (points: { value: number; time: number }[], agent = 'polecat-1') => tokenUsageExport([{ agent, points }]);

describe('OTLP shedding', () => {
  it(`past ${MAX_OTLP_IN_FLIGHT} exports being written, the next is a 429 with Retry-After, and the others count`, async () => {
    const { townId, key } = await townWithKey(s, 'slots');
    const answers = await Promise.all(
      Array.from({ length: MAX_OTLP_IN_FLIGHT + 1 }, (_, i) =>
        post(s, '/v1/metrics', key, delta([{ value: 1, time: at + i }], `agent-${i}`), PROTO),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((x) => x === 200)).toHaveLength(MAX_OTLP_IN_FLIGHT);
    const shed = answers.find((a) => a.status === 429);
    expect(shed?.retryAfter).toBe('1');
    expect(JSON.parse(Buffer.from(shed?.bytes ?? []).toString()).error.code).toBe('too_many_requests');
    expect((await totals(s, townId)).input_tokens).toBe(MAX_OTLP_IN_FLIGHT);
  });

  it(`past ${MAX_QUEUED_ITEMS} records waiting for a town's write, the next request is a 503 with Retry-After, and stores nothing`, async () => {
    const townId = await s.createTown('queue');
    const token = await s.mint(townId);
    const batches = MAX_QUEUED_ITEMS / 5000 + 1;
    const answers = await Promise.all(
      Array.from({ length: batches }, async (_, b) => {
        const records = Array.from({ length: 5000 }, (_, i) => ({
          id: `q${b}-${i}`,
          agentId: 'a',
          model: 'm',
          inputTokens: 1,
          outputTokens: 0,
          costMicrodollars: 0,
          at,
        }));
        const res = await fetch(`${s.url}/api/towns/${townId}/usage`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, ...JSON_TYPE },
          body: JSON.stringify({ records }),
        });
        return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
      }),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(batches - 1);
    const shed = answers.find((a) => a.status === 503);
    expect(shed).toMatchObject({ retryAfter: '1', body: { error: { code: 'unavailable' } } });
    expect((await totals(s, townId)).input_tokens).toBe(MAX_QUEUED_ITEMS);
  });
});

describe('OTLP partial success', () => {
  it('one point past the hour bound is rejected alone; the rest are stored, and a retry counts them once', async () => {
    const { townId, key } = await townWithKey(s, 'hour bound');
    const hour = Math.floor(at / 3_600_000) * 3_600_000;
    const full = MAX_HOUR_TOKENS / MAX_RECORD_TOKENS;
    const points = Array.from({ length: full + 1 }, (_, i) => ({ value: MAX_RECORD_TOKENS, time: hour + i + 1 }));
    points.push({ value: 7, time: hour - 1 }); // the hour before
    const body = delta(points);
    for (let i = 0; i < 2; i++) {
      const r = await post(s, '/v1/metrics', key, body, PROTO);
      expect(r.status).toBe(200);
      expect(OTLP.metricsResponse.toObject(OTLP.metricsResponse.decode(r.bytes), { longs: Number })).toEqual({
        partialSuccess: { rejectedDataPoints: 1, errorMessage: expect.stringContaining('per hour') },
      });
    }
    const now = Date.now();
    const r = await s.get(`/api/towns/${townId}/metrics/timeseries?from=${hour - 3_600_000}&to=${now + 60_000}&maxPoints=5000`);
    const sum = (r.body.series.input_tokens as (number | null)[]).reduce<number>((a, v) => a + (v ?? 0), 0);
    expect(sum).toBe(MAX_HOUR_TOKENS + 7);
  });

  it('a JSON time beyond 2^64 is that point rejected, never wrapped into a plausible time', async () => {
    const { townId, key } = await townWithKey(s, 'wrap');
    const json = OTLP.metricsRequest.toObject(
      OTLP.metricsRequest.decode(
        delta([
          { value: 5, time: at },
          { value: 3, time: at + 1 },
        ]),
      ),
      {
        longs: String,
      },
    );
    const point = json.resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints[1];
    point.timeUnixNano = String((1n << 64n) + BigInt(point.timeUnixNano)); // mod 2^64: at + 1
    const r = await post(s, '/v1/metrics', key, JSON.stringify(json), JSON_TYPE);
    expect(r.status).toBe(200);
    expect(JSON.parse(Buffer.from(r.bytes).toString())).toEqual({
      partialSuccess: { rejectedDataPoints: 1, errorMessage: expect.stringContaining('past year 2286') },
    });
    expect((await totals(s, townId)).input_tokens).toBe(5);
  });
});
