import { startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import { OTLPLogExporter as HttpLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTLP } from './schema.js';
import { JSON_TYPE, nanos, PROTO, post, totals, townWithKey } from './testing/town.js';

/**
 * OTLP logs from the real OpenTelemetry logs SDK to a real server on loopback: Claude Code's
 * `claude_code.api_request` and Codex's `codex.sse_event` count, and a session whose metrics also
 * arrive counts its spend once, whichever signal comes first.
 */
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ autoTick: false });
});
afterAll(async () => {
  await s?.close();
});

/** A Claude Code-like process: one resource, its event logs and its metrics, each exported when flushed. */
function claudeCode(url: string, key: string, kind: 'proto' | 'json' = 'proto', resource: Record<string, string> = {}) {
  const headers = { Authorization: `Bearer ${key}` };
  const res = resourceFromAttributes({ 'service.name': 'claude-code', 'gt.agent': 'polecat-1', ...resource });
  const logExporter =
    kind === 'proto'
      ? new ProtoLogExporter({ url: `${url}/v1/logs`, headers })
      : new HttpLogExporter({ url: `${url}/v1/logs`, headers });
  const logs = new LoggerProvider({ resource: res, processors: [new SimpleLogRecordProcessor({ exporter: logExporter })] });
  const reader = new PeriodicExportingMetricReader({
    exporter: new OTLPMetricExporter({
      url: `${url}/v1/metrics`,
      headers,
      temporalityPreference: AggregationTemporality.DELTA,
    }),
    exportIntervalMillis: 3_600_000,
  });
  const metrics = new MeterProvider({ resource: res, readers: [reader] });
  const meter = metrics.getMeter('com.anthropic.claude_code');
  const tokens = meter.createCounter('claude_code.token.usage');
  const cost = meter.createCounter('claude_code.cost.usage');
  const logger = logs.getLogger('com.anthropic.claude_code.events');
  let requests = 0;
  return {
    /** One API request, as Claude Code reports it in both signals (the metric only when flushed). */
    request(input: number, output: number, cacheRead: number, usd: number, session = 'sess-1') {
      requests++;
      const common = { 'session.id': session, model: 'claude-sonnet-4-5' };
      logger.emit({
        eventName: 'claude_code.api_request',
        body: 'claude_code.api_request',
        attributes: {
          ...common,
          'event.name': 'api_request',
          request_id: `req_${session}_${requests}`,
          input_tokens: input,
          output_tokens: output,
          cache_read_tokens: cacheRead,
          cache_creation_tokens: 0,
          cost_usd: usd,
          duration_ms: 1200,
        },
      });
      tokens.add(input, { ...common, type: 'input' });
      tokens.add(output, { ...common, type: 'output' });
      tokens.add(cacheRead, { ...common, type: 'cacheRead' });
      cost.add(usd, common);
    },
    flushLogs: () => logs.forceFlush(),
    flushMetrics: () => reader.forceFlush(),
    shutdown: () => Promise.all([logs.shutdown(), metrics.shutdown()]),
  };
}

describe('OTLP logs', () => {
  it.each(['proto', 'json'] as const)(
    "%s: claude_code.api_request events count; the same session's metrics after them are not counted again",
    async (kind) => {
      const { townId, key } = await townWithKey(s, `logs ${kind}`);
      const cc = claudeCode(s.url, key, kind);
      cc.request(100, 20, 1000, 0.5);
      cc.request(10, 2, 0, 0.25);
      await cc.flushLogs();
      await cc.shutdown(); // the metrics of the same session arrive second: not counted again
      expect(await totals(s, townId)).toMatchObject({
        input_tokens: 110,
        output_tokens: 22,
        cache_read_tokens: 1000,
        cost_microdollars: 750_000,
      });
    },
  );

  it.each([
    ['logs first', 'logs'],
    ['metrics first', 'metrics'],
  ] as const)('%s: a session described by both signals is counted once', async (_, first) => {
    const { townId, key } = await townWithKey(s, `both ${first}`);
    const cc = claudeCode(s.url, key);
    cc.request(100, 20, 0, 0.5);
    if (first === 'logs') await cc.flushLogs();
    await cc.flushMetrics();
    await cc.flushLogs();
    cc.request(5, 1, 0, 0.01);
    await cc.flushMetrics();
    await cc.flushLogs();
    // Another session of the same process: counted once too, from the same signal.
    cc.request(7, 0, 0, 0, 'sess-2');
    await cc.flushMetrics();
    await cc.shutdown();
    expect(await totals(s, townId)).toMatchObject({ input_tokens: 112, output_tokens: 21, cost_microdollars: 510_000 });
  });

  it.each([
    ['logs first', true],
    ['metrics first', false],
  ])('Codex, %s: sse_event logs (with conversation.id) and turn metrics (without) count once', async (_, logsFirst) => {
    const { townId, key } = await townWithKey(s, `codex ${logsFirst}`);
    const at = Date.now() - 60_000;
    const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'codex_exec' } }] };
    const logs = JSON.stringify({
      resourceLogs: [
        {
          resource,
          scopeLogs: [
            {
              logRecords: [
                {
                  timeUnixNano: nanos(at),
                  attributes: Object.entries({
                    'event.name': 'codex.sse_event',
                    'event.kind': 'response.completed',
                    'conversation.id': 'conv-1',
                    model: 'gpt-5',
                    input_token_count: '300',
                    output_token_count: '40',
                  }).map(([k, v]) => ({ key: k, value: { stringValue: v } })),
                },
              ],
            },
          ],
        },
      ],
    });
    const point = (type: string, value: number) => ({
      attributes: [
        { key: 'token_type', value: { stringValue: type } },
        { key: 'model', value: { stringValue: 'gpt-5' } },
      ],
      startTimeUnixNano: nanos(at - 1000),
      timeUnixNano: nanos(at),
      asDouble: value,
    });
    const metrics = JSON.stringify({
      resourceMetrics: [
        {
          resource,
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'codex.turn.token_usage',
                  histogram: {
                    aggregationTemporality: 1,
                    dataPoints: [point('input', 300), point('output', 40)].map(({ asDouble, ...p }) => ({
                      ...p,
                      sum: asDouble,
                      count: '1',
                    })),
                  },
                },
              ],
            },
          ],
        },
      ],
    });
    const sends = [() => post(s, '/v1/logs', key, logs, JSON_TYPE), () => post(s, '/v1/metrics', key, metrics, JSON_TYPE)];
    for (const send of logsFirst ? sends : sends.reverse()) expect((await send()).status).toBe(200);
    expect(await totals(s, townId)).toMatchObject({ input_tokens: 300, output_tokens: 40 });
  });

  it("a key made for an agent (key create --agent) makes every event under it that agent's", async () => {
    const { townId, key } = await townWithKey(s, 'agent key logs', 'polecat-9');
    const cc = claudeCode(s.url, key); // its resource says gt.agent polecat-1
    cc.request(11, 0, 0, 0);
    await cc.flushLogs();
    await cc.shutdown();
    const scrape = await s.get(`/api/towns/${townId}/metrics/prometheus`);
    expect(scrape.body).toContain('gasgauge_tokens_total{agent="polecat-9",model="claude-sonnet-4-5",type="input"} 11');
    expect(scrape.body).not.toContain('agent="polecat-1"');
  });

  it('the same log body posted twice counts once; a record without request_id is keyed by its attributes and time', async () => {
    const { townId, key } = await townWithKey(s, 'log retry');
    const at = Date.now() - 60_000;
    const str = (k: string, v: string) => ({ key: k, value: { stringValue: v } });
    const body = OTLP.logsRequest
      .encode(
        OTLP.logsRequest.fromObject({
          resourceLogs: [
            {
              resource: { attributes: [str('gt.agent', 'codex-1')] },
              scopeLogs: [
                {
                  logRecords: [
                    {
                      timeUnixNano: nanos(at),
                      attributes: [
                        str('event.name', 'codex.sse_event'),
                        str('event.kind', 'response.completed'),
                        str('conversation.id', 'c1'),
                        str('model', 'gpt-5'),
                        { key: 'input_token_count', value: { intValue: 300 } },
                        { key: 'output_token_count', value: { intValue: 40 } },
                        { key: 'cached_token_count', value: { intValue: 200 } },
                        { key: 'reasoning_token_count', value: { intValue: 30 } },
                      ],
                    },
                    // Another SSE event: accepted, read no further.
                    {
                      timeUnixNano: nanos(at),
                      attributes: [str('event.name', 'codex.sse_event'), str('event.kind', 'response.created')],
                    },
                  ],
                },
              ],
            },
          ],
        }),
      )
      .finish();
    for (let i = 0; i < 2; i++) {
      const r = await post(s, '/v1/logs', key, body, PROTO);
      expect(r.status).toBe(200);
      expect(OTLP.logsResponse.toObject(OTLP.logsResponse.decode(r.bytes))).toEqual({});
    }
    // Cached input and reasoning are inside input and output: not added again.
    expect(await totals(s, townId)).toMatchObject({ input_tokens: 300, output_tokens: 40, cache_read_tokens: 0 });
  });

  it('a counted event with a bad amount or time is rejected in partial_success; the rest are stored', async () => {
    const { townId, key } = await townWithKey(s, 'bad log values');
    const at = Date.now() - 60_000;
    const record = (id: string, attrs: Record<string, string>, time = nanos(at)) => ({
      timeUnixNano: time,
      attributes: Object.entries({ 'event.name': 'api_request', request_id: id, model: 'm', ...attrs }).map(([k, v]) => ({
        key: k,
        value: { stringValue: v },
      })),
    });
    const body = {
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                record('ok', { input_tokens: '5', cost_usd: '0.000002' }),
                record('neg', { input_tokens: '-1' }),
                record('nan', { output_tokens: 'many' }),
                record('huge', { input_tokens: '1000000001' }),
                // 2^64 + a plausible time: wrapped modulo 2^64 it would count at that time.
                record('wrapped', { input_tokens: '9' }, String((1n << 64n) + BigInt(nanos(at)))),
              ],
            },
          ],
        },
      ],
    };
    const r = await post(s, '/v1/logs', key, JSON.stringify(body), JSON_TYPE);
    expect(r.status).toBe(200);
    expect(JSON.parse(Buffer.from(r.bytes).toString())).toEqual({
      partialSuccess: { rejectedLogRecords: 4, errorMessage: expect.stringContaining('input_tokens') },
    });
    expect(await totals(s, townId)).toMatchObject({ input_tokens: 5, output_tokens: 0, cost_microdollars: 2 });
  });
});
