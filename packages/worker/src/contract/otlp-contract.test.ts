import { createGzip, deflateSync } from 'node:zlib';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { rec, sum } from '../testing/client.js';
import { HOSTS, useHost } from '../testing/hosts.js';

const { DELTA, CUMULATIVE } = AggregationTemporality;

/**
 * OTLP ingest, run unchanged against every host: the real OpenTelemetry SDK's protobuf exporters
 * (application/x-protobuf bodies made here, by the SDK) post to the host over loopback.
 */
describe.each(HOSTS)('%s host: OTLP ingest', (_name, start) => {
  const host = useHost(start);

  /** A town and an OTLP ingest key for it. */
  async function townWithKey(name: string) {
    const t = await host.c.town(name);
    const r = await host.c.mutate('towns.createKey', { townId: t.id, name: 'otel' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return { townId: t.id, key: r.body.result.data.key as string, ingest: t.ingest };
  }

  async function totals(townId: string) {
    const now = Date.now();
    const s = await host.c.series(townId, now - 3_600_000, now + 60_000, 5000);
    return { input: sum(s.series.input_tokens), output: sum(s.series.output_tokens), cost: sum(s.series.cost_microdollars) };
  }

  /** A Claude Code-like process: one resource, its api_request event logs and its metrics, each sent when flushed (gzipped with `gzip`). */
  function claudeCode(key: string, temporality = DELTA, gzip = false, metricsSession = true) {
    const headers = { Authorization: `Bearer ${key}` };
    type Compression = NonNullable<NonNullable<ConstructorParameters<typeof OTLPMetricExporter>[0]>['compression']>;
    const compression = (gzip ? 'gzip' : 'none') as Compression;
    const resource = resourceFromAttributes({ 'service.name': 'claude-code', 'gt.agent': 'polecat-1' });
    const logExporter = new OTLPLogExporter({ url: `${host.h.url}/v1/logs`, headers, compression });
    const logs = new LoggerProvider({
      resource,
      processors: [new SimpleLogRecordProcessor({ exporter: logExporter })],
    });
    const exporter = new OTLPMetricExporter({
      url: `${host.h.url}/v1/metrics`,
      headers,
      temporalityPreference: temporality,
      compression,
    });
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const meter = new MeterProvider({ resource, readers: [reader] }).getMeter('com.anthropic.claude_code');
    const tokens = meter.createCounter('claude_code.token.usage');
    const cost = meter.createCounter('claude_code.cost.usage');
    const logger = logs.getLogger('com.anthropic.claude_code.events');
    let n = 0;
    return {
      /** One API request as both signals report it; `log: false` leaves it to the metrics. */
      request(input: number, output: number, usd: number, log = true) {
        const attrs = { 'session.id': 'sess-1', model: 'claude-sonnet-4-5' };
        if (log)
          logger.emit({
            eventName: 'claude_code.api_request',
            body: 'claude_code.api_request',
            attributes: { ...attrs, request_id: `req_${++n}`, input_tokens: input, output_tokens: output, cost_usd: usd },
          });
        // OTEL_METRICS_INCLUDE_SESSION_ID=false: the metrics name no session (the logs still do).
        const metricAttrs = metricsSession ? attrs : { model: attrs.model };
        tokens.add(input, { ...metricAttrs, type: 'input' });
        tokens.add(output, { ...metricAttrs, type: 'output' });
        cost.add(usd, metricAttrs);
      },
      // The simple processor's forceFlush does not wait for an export already sent (only for a resource's async
      // attributes): without the exporter's own, a slow log request lost the race to the metrics sent after it.
      flushLogs: async () => {
        await logs.forceFlush();
        await logExporter.forceFlush();
      },
      flushMetrics: () => reader.forceFlush(),
      shutdown: async () => {
        await logs.shutdown();
        await reader.shutdown();
      },
    };
  }

  it.each([
    ['delta', DELTA],
    ['cumulative', CUMULATIVE],
  ] as const)('protobuf metrics, %s: three exports count each increase exactly once', async (name, temporality) => {
    const { townId, key } = await townWithKey(`otlp ${name}`);
    const cc = claudeCode(key, temporality);
    cc.request(100, 20, 0.5, false);
    await cc.flushMetrics();
    cc.request(10, 2, 0.25, false);
    await cc.flushMetrics();
    await cc.flushMetrics(); // nothing new: a cumulative export repeats its totals, a delta one is empty
    await cc.shutdown();
    expect(await totals(townId)).toEqual({ input: 110, output: 22, cost: 750_000 });
  });

  it('protobuf logs and metrics of one session are counted once, whichever arrives first', async () => {
    const { townId, key } = await townWithKey('otlp both signals');
    const cc = claudeCode(key);
    cc.request(100, 20, 0.5);
    await cc.flushLogs();
    await cc.flushMetrics(); // the same request again, as metrics: not counted twice
    cc.request(5, 1, 0.01);
    await cc.flushMetrics();
    await cc.flushLogs();
    await cc.shutdown();
    expect(await totals(townId)).toEqual({ input: 105, output: 21, cost: 510_000 });
  });

  it('a session both exported over OTLP and posted from its transcript over REST counts once, whichever path comes first', async () => {
    // The transcript's record of the same request, as a reporter posts it: its `session` is the OTLP `session.id`.
    const transcript = (id: string, session: string) =>
      rec({ id, session, inputTokens: 1000, outputTokens: 200, costMicrodollars: 5_000_000 });

    const first = await townWithKey('otlp then rest');
    const cc = claudeCode(first.key);
    cc.request(100, 20, 0.5);
    await cc.flushLogs();
    await cc.flushMetrics();
    await cc.shutdown();
    const late = await host.c.usage(first.townId, first.ingest, [transcript('msg_1:req_1', 'sess-1')]);
    expect(late.body).toMatchObject({ accepted: 0, ignored: 1 });
    // Another session of the same reporter is its own.
    const other = await host.c.usage(first.townId, first.ingest, [transcript('msg_2:req_2', 'sess-2')]);
    expect(other.body).toMatchObject({ accepted: 1 });
    expect(await totals(first.townId)).toEqual({ input: 1100, output: 220, cost: 5_500_000 });

    const second = await townWithKey('rest then otlp');
    const early = await host.c.usage(second.townId, second.ingest, [transcript('msg_1:req_1', 'sess-1')]);
    expect(early.body).toMatchObject({ accepted: 1 });
    const cc2 = claudeCode(second.key);
    cc2.request(100, 20, 0.5);
    await cc2.flushLogs();
    await cc2.flushMetrics();
    await cc2.shutdown();
    expect(await totals(second.townId)).toEqual({ input: 1000, output: 200, cost: 5_000_000 });
  });

  it('a session posted over REST first is not counted again by metrics that name no session, once its logs came (attack12)', async () => {
    // OTEL_METRICS_INCLUDE_SESSION_ID=false (and Codex's token metrics, which never carry conversation.id): the logs
    // name the session, the metrics only their sender. The logs, ignored as REST's session, still take the sender
    // for their signal, so the sender's metrics are ignored too; they counted the session a second time.
    const t = await townWithKey('rest then otlp sessionless metrics');
    const rest = rec({ id: 'msg_1:req_1', session: 'sess-1', inputTokens: 1000, outputTokens: 200, costMicrodollars: 5_000_000 });
    expect((await host.c.usage(t.townId, t.ingest, [rest])).body).toMatchObject({ accepted: 1 });
    const cc = claudeCode(t.key, DELTA, false, false);
    cc.request(100, 20, 0.5);
    await cc.flushLogs();
    await cc.flushMetrics();
    await cc.shutdown();
    expect(await totals(t.townId)).toEqual({ input: 1000, output: 200, cost: 5_000_000 });
  });

  // Both hosts inflate through node:zlib with an output bound (the Gunzip port): ~50 ms to refuse. Through
  // workerd's DecompressionStream the same refusal took ~12 s of the isolate, which inflated all of it.
  it('a gzip bomb (1 GB of zeros in 1 MB) is a 413, a deflate body a 400, and the next export, gzipped, is counted', async () => {
    const { townId, key } = await townWithKey('otlp gzip bomb');
    const gzip = createGzip({ level: 9 });
    const out: Buffer[] = [];
    gzip.on('data', (c: Buffer) => out.push(c));
    const zeros = Buffer.alloc(64 * 1024 * 1024);
    for (let i = 0; i < 16; i++) gzip.write(zeros);
    await new Promise((r) => gzip.end(r));
    const bomb = new Uint8Array(Buffer.concat(out));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const post = (body: Uint8Array<ArrayBuffer>, encoding?: string) =>
      fetch(`${host.h.url}/v1/metrics`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/x-protobuf',
          ...(encoding ? { 'content-encoding': encoding } : {}),
        },
        body,
      });
    const refused = await post(bomb, 'gzip');
    expect(refused.status).toBe(413);
    // Not gzip: a clear 400 naming the header, never a 5xx.
    const deflate = await post(new Uint8Array(deflateSync(Buffer.from('x'))), 'deflate');
    expect(deflate.status).toBe(400);
    expect(await deflate.text()).toContain('content-encoding');
    // Not valid gzip: a 400 naming the body.
    const broken = await post(new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3]), 'gzip');
    expect(broken.status).toBe(400);
    expect(await broken.text()).toContain('not valid gzip');
    const cc = claudeCode(key, DELTA, true);
    cc.request(7, 3, 0.01);
    await cc.flushMetrics();
    await cc.shutdown();
    expect(await totals(townId)).toEqual({ input: 7, output: 3, cost: 10_000 });
  });

  it('traces are taken and not read: 200 with an empty response in either encoding, under the same credential and bounds', async () => {
    const { townId, key } = await townWithKey('otlp traces');
    const before = await totals(townId);
    const span = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'gemini-cli' } }] },
          scopeSpans: [
            { spans: [{ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'llm_call' }] },
          ],
        },
      ],
    };
    const post = (path: string, body: BodyInit, headers: Record<string, string>) =>
      fetch(`${host.h.url}${path}`, { method: 'POST', headers, body });
    const json = await post('/v1/traces', JSON.stringify(span), {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
    });
    expect(json.status).toBe(200);
    expect(await json.json()).toEqual({});
    const proto = await post('/v1/traces', new Uint8Array([0x0a, 0x00]), {
      authorization: `Bearer ${key}`,
      'content-type': 'application/x-protobuf',
    });
    expect(proto.status).toBe(200);
    expect(proto.headers.get('content-type')).toBe('application/x-protobuf');
    expect((await proto.arrayBuffer()).byteLength).toBe(0);
    const inPath = await post(`/otlp/${key}/v1/traces`, JSON.stringify(span), { 'content-type': 'application/json' });
    expect(inPath.status).toBe(200);
    await inPath.arrayBuffer();
    // The same refusals as the other signals: no credential, another content type, a body past 1 MiB.
    const anonymous = await post('/v1/traces', JSON.stringify(span), { 'content-type': 'application/json' });
    expect(anonymous.status).toBe(401);
    await anonymous.arrayBuffer();
    const text = await post('/v1/traces', 'spans', { authorization: `Bearer ${key}`, 'content-type': 'text/plain' });
    expect(text.status).toBe(400);
    expect(await text.text()).toContain('content-type');
    const big = await post('/v1/traces', new Uint8Array(1024 * 1024 + 1), {
      authorization: `Bearer ${key}`,
      'content-type': 'application/x-protobuf',
    });
    expect(big.status).toBe(413);
    await big.arrayBuffer();
    expect(await totals(townId)).toEqual(before);
  });
});
