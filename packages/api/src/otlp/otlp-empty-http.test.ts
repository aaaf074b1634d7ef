import { startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { concatBytes } from '../http/body.js';
import { MAX_OTLP_POINTS } from './limits.js';
import { OTLP } from './schema.js';
import { nanos, PROTO, post, totals, townWithKey } from './testing/town.js';

/*
 * The attack: an export of 100,000 empty resources (2 bytes each) digested every one of them, though
 * none holds a point. 500,000 of them (1 MiB) took the server 19 s. Now an export holds at most 5,000
 * resources (limits.ts), and those it may hold still cost no digest.
 */
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ autoTick: false });
});
afterAll(async () => {
  await s?.close();
  vi.restoreAllMocks();
});

const EMPTY = MAX_OTLP_POINTS - 1;
const FLOOD = 100_000;
/** `count` empty messages as field 1 (`resource_metrics` or `resource_logs`) of an export. */
const empties = (count: number) => new Uint8Array(2 * count).map((_, i) => (i % 2 === 0 ? 0x0a : 0));

/** How many SHA-256 digests `fn` takes (every resource, series and sender id is one). */
async function digestsOf<T>(fn: () => Promise<T>): Promise<{ result: T; digests: number }> {
  const spy = vi.spyOn(crypto.subtle, 'digest');
  try {
    const result = await fn();
    return { result, digests: spy.mock.calls.length };
  } finally {
    spy.mockRestore();
  }
}

const errorPath = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes)).error.path;

const resource = { attributes: [{ key: 'gt.agent', value: { stringValue: 'polecat-1' } }] };

describe('OTLP resources without points cost nothing, and past 5,000 are refused', () => {
  it('metrics: 4,999 empty resources beside one point: the point counts once, no empty one is digested', async () => {
    const { townId, key } = await townWithKey(s, 'Empty metrics');
    const point = {
      attributes: [
        { key: 'type', value: { stringValue: 'input' } },
        { key: 'model', value: { stringValue: 'claude-sonnet-4-5' } },
      ],
      timeUnixNano: nanos(Date.now()),
      asDouble: 7,
    };
    const real = OTLP.metricsRequest
      .encode(
        OTLP.metricsRequest.fromObject({
          resourceMetrics: [
            {
              resource,
              scopeMetrics: [
                {
                  metrics: [
                    {
                      name: 'claude_code.token.usage',
                      sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [point] },
                    },
                  ],
                },
              ],
            },
          ],
        }),
      )
      .finish();
    const body = concatBytes([empties(EMPTY), real], 2 * EMPTY + real.length);
    const flood = await post(s, '/v1/metrics', key, concatBytes([empties(FLOOD), real], 2 * FLOOD + real.length), PROTO);
    expect(flood.status).toBe(400);
    expect(errorPath(flood.bytes)).toBe('resourceMetrics');
    expect((await totals(s, townId)).input_tokens).toBe(0);
    // The same export without the empty resources, for the digests it takes (the key's, the resource's, ids).
    const alone = await digestsOf(() => post(s, '/v1/metrics', key, real, PROTO));
    const { result, digests } = await digestsOf(() => post(s, '/v1/metrics', key, body, PROTO));
    expect(alone.result.status).toBe(200);
    expect(result.status).toBe(200);
    expect(digests).toBe(alone.digests);
    expect((await totals(s, townId)).input_tokens).toBe(7);
  });

  it('logs: 4,999 empty resources beside one api_request: it counts once, no empty one is digested', async () => {
    const { townId, key } = await townWithKey(s, 'Empty logs');
    const log = {
      timeUnixNano: nanos(Date.now()),
      eventName: 'claude_code.api_request',
      attributes: [
        { key: 'model', value: { stringValue: 'claude-sonnet-4-5' } },
        { key: 'request_id', value: { stringValue: 'req_1' } },
        { key: 'input_tokens', value: { stringValue: '11' } },
      ],
    };
    const real = OTLP.logsRequest
      .encode(OTLP.logsRequest.fromObject({ resourceLogs: [{ resource, scopeLogs: [{ logRecords: [log] }] }] }))
      .finish();
    const body = concatBytes([empties(EMPTY), real], 2 * EMPTY + real.length);
    const flood = await post(s, '/v1/logs', key, concatBytes([empties(FLOOD), real], 2 * FLOOD + real.length), PROTO);
    expect(flood.status).toBe(400);
    expect(errorPath(flood.bytes)).toBe('resourceLogs');
    expect((await totals(s, townId)).input_tokens).toBe(0);
    // The same export without the empty resources, for the digests it takes (the key's, the resource's, ids).
    const alone = await digestsOf(() => post(s, '/v1/logs', key, real, PROTO));
    const { result, digests } = await digestsOf(() => post(s, '/v1/logs', key, body, PROTO));
    expect(alone.result.status).toBe(200);
    expect(result.status).toBe(200);
    expect(digests).toBe(alone.digests);
    expect((await totals(s, townId)).input_tokens).toBe(11);
  });
});
