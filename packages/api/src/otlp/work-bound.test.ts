import { AppError } from '@gasgauge/core';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { ingestBodies } from '../fuzz/valid-inputs.js';
import { decodeOtlp } from './decode.js';
import { logsToRecords } from './logs.js';
import { metricsToRecords } from './metrics.js';
import { OTLP } from './schema.js';

/*
 * An export's work must follow what it counts, not how it is packed: a SHA-256 digest (a resource's
 * id, a series' id, a sender's id) for each resource, scope or metric holding nothing let 1 MiB of
 * empty resources cost the server 36 s. At most three digests per data point or log record.
 */
const NOW = 1_795_608_000_000;
const bodies = ingestBodies({ now: NOW, townIds: [], orgIds: [], userNames: [] });
const attributes = fc.array(
  fc.record({ key: fc.constantFrom('service.name', 'gt.agent', 'session.id'), value: fc.record({ stringValue: fc.string() }) }),
  { maxLength: 3 },
);
/** Containers that hold no point or log record, packed beside the real ones. */
const emptyResource = (scopes: 'scopeMetrics' | 'scopeLogs', items: 'metrics' | 'logRecords') =>
  fc.oneof(
    fc.constant({}),
    attributes.map((a) => ({ resource: { attributes: a } })),
    attributes.map((a) => ({ resource: { attributes: a }, [scopes]: [{}, { [items]: [] }] })),
  );

async function digestsOf(fn: () => Promise<unknown>): Promise<number> {
  const spy = vi.spyOn(crypto.subtle, 'digest');
  try {
    await fn();
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}

const pointsOf = (body: unknown): number => {
  let n = 0;
  for (const rm of (body as { resourceMetrics?: { scopeMetrics?: { metrics?: Record<string, unknown>[] }[] }[] })
    .resourceMetrics ?? [])
    for (const sm of rm.scopeMetrics ?? [])
      for (const m of sm.metrics ?? [])
        for (const kind of ['sum', 'histogram', 'gauge', 'exponentialHistogram', 'summary'])
          n += ((m[kind] as { dataPoints?: unknown[] } | undefined)?.dataPoints ?? []).length;
  return n;
};

const logRecordsOf = (body: unknown): number => {
  let n = 0;
  for (const rl of (body as { resourceLogs?: { scopeLogs?: { logRecords?: unknown[] }[] }[] }).resourceLogs ?? [])
    for (const sl of rl.scopeLogs ?? []) n += (sl.logRecords ?? []).length;
  return n;
};

/** The export as the receiver decodes it, or undefined when it refuses it whole (a 400, no work after). */
function decoded(type: typeof OTLP.metricsRequest, value: unknown): unknown {
  try {
    return decodeOtlp(type, new TextEncoder().encode(JSON.stringify(value)), 'json');
  } catch (err) {
    if (err instanceof AppError) return undefined;
    throw err;
  }
}

describe('an OTLP export costs digests by what it holds, not by its containers', () => {
  it('metrics: at most three digests per data point', async () => {
    await fc.assert(
      fc.asyncProperty(
        bodies.otlpMetrics,
        fc.array(emptyResource('scopeMetrics', 'metrics'), { maxLength: 20 }),
        async (e, empty) => {
          const body = decoded(OTLP.metricsRequest, { resourceMetrics: [...empty, ...e.resourceMetrics] });
          if (body === undefined) return;
          const digests = await digestsOf(() => metricsToRecords(body, undefined));
          expect(digests).toBeLessThanOrEqual(3 * pointsOf(body));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('logs: at most three digests per log record', async () => {
    await fc.assert(
      fc.asyncProperty(
        bodies.otlpLogs,
        fc.array(emptyResource('scopeLogs', 'logRecords'), { maxLength: 20 }),
        async (e, empty) => {
          const body = decoded(OTLP.logsRequest, { resourceLogs: [...empty, ...e.resourceLogs] });
          if (body === undefined) return;
          const digests = await digestsOf(() => logsToRecords(body, undefined));
          expect(digests).toBeLessThanOrEqual(3 * logRecordsOf(body));
        },
      ),
      { numRuns: 200 },
    );
  });
});
