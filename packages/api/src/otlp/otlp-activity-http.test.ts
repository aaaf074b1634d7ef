import { startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import parse from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTLP } from './schema.js';
import { nanos, PROTO, post, townWithKey } from './testing/town.js';

/**
 * Claude Code's activity counters (lines of code, commits, pull requests, sessions, active time) from
 * the real OpenTelemetry SDK become the town's `gasgauge_activity_total{kind}` counters, exactly once.
 */
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ autoTick: false });
});
afterAll(async () => {
  await s?.close();
});

async function activity(townId: string): Promise<Record<string, number>> {
  const r = await s.get(`/api/towns/${townId}/metrics/prometheus`);
  expect(r.status).toBe(200);
  const family = parse(r.body as string).find((f) => f.name === 'gasgauge_activity_total');
  return Object.fromEntries((family?.metrics ?? []).map((m) => [m.labels?.kind ?? '', Number(m.value)]));
}

describe('OTLP activity metrics', () => {
  it.each([
    ['delta', AggregationTemporality.DELTA],
    ['cumulative', AggregationTemporality.CUMULATIVE],
  ] as const)('%s: each increase counts once, across exports', async (_, temporality) => {
    const { townId, key } = await townWithKey(s, `activity ${temporality}`);
    const exporter = new OTLPMetricExporter({
      url: `${s.url}/v1/metrics`,
      headers: { Authorization: `Bearer ${key}` },
      temporalityPreference: temporality,
    });
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': 'claude-code', 'gt.agent': 'polecat-1' }),
      readers: [reader],
    });
    const meter = provider.getMeter('com.anthropic.claude_code');
    const lines = meter.createCounter('claude_code.lines_of_code.count');
    const commits = meter.createCounter('claude_code.commit.count');
    const prs = meter.createCounter('claude_code.pull_request.count');
    const sessions = meter.createCounter('claude_code.session.count');
    const active = meter.createCounter('claude_code.active_time.total', { unit: 's' });
    const session = { 'session.id': 's-1' };
    sessions.add(1, session);
    lines.add(120, { ...session, type: 'added' });
    lines.add(30, { ...session, type: 'removed' });
    active.add(2.5, session);
    await reader.forceFlush();
    lines.add(5, { ...session, type: 'added' });
    commits.add(1, session);
    prs.add(1, session);
    active.add(0.25, session);
    await reader.forceFlush();
    await reader.forceFlush(); // nothing new
    await provider.shutdown();
    expect(await activity(townId)).toEqual({
      lines_added: 125,
      lines_removed: 30,
      commits: 1,
      pull_requests: 1,
      sessions: 1,
      active_ms: 2750,
    });
  });

  it('a retried export counts once; a bad value is rejected in partial_success', async () => {
    const { townId, key } = await townWithKey(s, 'activity retry');
    const at = Date.now() - 60_000;
    const point = (value: string, type?: string) => ({
      attributes: type ? [{ key: 'type', value: { stringValue: type } }] : [],
      startTimeUnixNano: nanos(at - 1000),
      timeUnixNano: nanos(at),
      asInt: value,
    });
    const sum = (dataPoints: object[]) => ({ aggregationTemporality: 1, isMonotonic: true, dataPoints });
    const body = OTLP.metricsRequest
      .encode(
        OTLP.metricsRequest.fromObject({
          resourceMetrics: [
            {
              scopeMetrics: [
                {
                  metrics: [
                    { name: 'claude_code.lines_of_code.count', sum: sum([point('7', 'added'), point('2', 'moved')]) },
                    { name: 'claude_code.commit.count', sum: sum([point('2000000000')]) },
                  ],
                },
              ],
            },
          ],
        }),
      )
      .finish();
    for (let i = 0; i < 2; i++) {
      const r = await post(s, '/v1/metrics', key, body, PROTO);
      expect(r.status).toBe(200);
      expect(OTLP.metricsResponse.toObject(OTLP.metricsResponse.decode(r.bytes), { longs: Number })).toEqual({
        partialSuccess: { rejectedDataPoints: 2, errorMessage: expect.stringContaining('moved') },
      });
    }
    expect(await activity(townId)).toMatchObject({ lines_added: 7, commits: 0 });
  });
});
