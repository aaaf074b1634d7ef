import { COUNTERS } from '@gasgauge/core';
import type { TestServer } from '@gasgauge/server/testing/server';
import { expect } from 'vitest';
import { OTLP } from '../schema.js';

/** Helpers of the OTLP tests: a town with an ingest key, and its counters over the last hour. */
export type Totals = Record<(typeof COUNTERS)[number], number>;

export async function totals(s: TestServer, townId: string): Promise<Totals> {
  const now = Date.now();
  const r = await s.get(`/api/towns/${townId}/metrics/timeseries?from=${now - 3_600_000}&to=${now + 60_000}&maxPoints=5000`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return Object.fromEntries(
    COUNTERS.map((c) => [c, (r.body.series[c] as (number | null)[]).reduce<number>((a, v) => a + (v ?? 0), 0)]),
  ) as Totals;
}

/** A town named after a test case (its spaces made single: a name takes no others) and an ingest key for it. */
export async function townWithKey(s: TestServer, name: string, agentId?: string): Promise<{ townId: string; key: string }> {
  const townId = await s.createTown(name.replace(/\s+/g, ' ').trim());
  const r = await s.post('/trpc/towns.createKey', { townId, name: 'otel', ...(agentId ? { agentId } : {}) }, s.adminToken);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { townId, key: r.body.result.data.key };
}

export const nanos = (ms: number) => String(BigInt(ms) * 1_000_000n);
export const PROTO = { 'content-type': 'application/x-protobuf' };
export const JSON_TYPE = { 'content-type': 'application/json' };

/** POSTs a body with a bearer credential; the answer's bytes. */
export async function post(s: TestServer, path: string, key: string, body: Uint8Array | string, headers: Record<string, string>) {
  const res = await fetch(s.url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, ...headers },
    body: typeof body === 'string' ? body : Buffer.from(body),
  });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    retryAfter: res.headers.get('retry-after'),
    bytes: new Uint8Array(await res.arrayBuffer()),
  };
}

/**
 * A delta `claude_code.token.usage` export in protobuf: per resource, its `gt.agent` and its input-token points (a
 * value at a time, each over the second before).
 */
export function tokenUsageExport(resources: { agent: string; points: { value: number; time: number }[] }[]): Uint8Array {
  return OTLP.metricsRequest
    .encode(
      OTLP.metricsRequest.fromObject({
        resourceMetrics: resources.map(({ agent, points }) => ({
          resource: { attributes: [{ key: 'gt.agent', value: { stringValue: agent } }] },
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'claude_code.token.usage',
                  sum: {
                    aggregationTemporality: 1,
                    isMonotonic: true,
                    dataPoints: points.map((p) => ({
                      attributes: [{ key: 'type', value: { stringValue: 'input' } }],
                      startTimeUnixNano: nanos(p.time - 1000),
                      timeUnixNano: nanos(p.time),
                      asInt: String(p.value),
                    })),
                  },
                },
              ],
            },
          ],
        })),
      }),
    )
    .finish();
}
