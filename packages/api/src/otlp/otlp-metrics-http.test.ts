import { type ClientRequest, request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import { OTLPMetricExporter as HttpExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessEntry } from '../http/access-log.js';
import { MAX_OTLP_IN_FLIGHT } from './routes.js';
import { OTLP } from './schema.js';
import {
  JSON_TYPE,
  nanos,
  townWithKey as newTown,
  PROTO,
  post as postTo,
  type Totals,
  totals as totalsOf,
} from './testing/town.js';

/**
 * The real OpenTelemetry JS SDK exporting to a real server on loopback, with ingest keys. Each test
 * uses its own town, and compares the town's counters (read through the timeseries API).
 */
let s: TestServer;
const accessLog: AccessEntry[] = [];
beforeAll(async () => {
  s = await startTestServer({ autoTick: false, accessLog: (entry) => accessLog.push(entry) });
});
afterAll(async () => {
  await s?.close();
});

const totals = (townId: string): Promise<Totals> => totalsOf(s, townId);
const townWithKey = (name: string) => newTown(s, name);

type Kind = 'proto' | 'json';
interface Sdk {
  provider: MeterProvider;
  reader: PeriodicExportingMetricReader;
  tokens: ReturnType<ReturnType<MeterProvider['getMeter']>['createCounter']>;
  cost: ReturnType<ReturnType<MeterProvider['getMeter']>['createCounter']>;
}

/** A Claude Code-like process: its counters, exported only when flushed. */
function sdk(opts: {
  kind: Kind;
  url: string;
  key?: string;
  temporality: AggregationTemporality;
  resource?: Record<string, string>;
}): Sdk {
  const config = {
    url: opts.url,
    ...(opts.key ? { headers: { Authorization: `Bearer ${opts.key}` } } : {}),
    temporalityPreference: opts.temporality,
  };
  const exporter: PushMetricExporter = opts.kind === 'proto' ? new ProtoExporter(config) : new HttpExporter(config);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'claude-code', ...opts.resource }),
    readers: [reader],
  });
  const meter = provider.getMeter('com.anthropic.claude_code', '2.0.0');
  return {
    provider,
    reader,
    tokens: meter.createCounter('claude_code.token.usage', { unit: 'tokens' }),
    cost: meter.createCounter('claude_code.cost.usage', { unit: 'USD' }),
  };
}

const use = (p: Sdk, input: number, output: number, usd: number, session = 'sess-1') => {
  const attrs = { 'session.id': session, model: 'claude-sonnet-4-5' };
  p.tokens.add(input, { ...attrs, type: 'input' });
  p.tokens.add(output, { ...attrs, type: 'output' });
  p.cost.add(usd, attrs);
};

const { DELTA, CUMULATIVE } = AggregationTemporality;

describe('OTLP metrics from the OpenTelemetry SDK', () => {
  it.each([
    ['proto', DELTA],
    ['proto', CUMULATIVE],
    ['json', DELTA],
    ['json', CUMULATIVE],
  ] as [Kind, AggregationTemporality][])(
    '%s, temporality %s: three exports count each increase once',
    async (kind, temporality) => {
      const { townId, key } = await townWithKey(`t ${kind} ${temporality}`);
      const p = sdk({ kind, url: `${s.url}/v1/metrics`, key, temporality });
      use(p, 100, 20, 0.5);
      await p.reader.forceFlush();
      use(p, 10, 2, 0.25);
      await p.reader.forceFlush();
      await p.reader.forceFlush(); // nothing new: a cumulative export repeats its totals, a delta one is empty
      await p.provider.shutdown();
      expect(await totals(townId)).toMatchObject({ input_tokens: 110, output_tokens: 22, cost_microdollars: 750_000 });
    },
  );

  it('the /otlp/<key>/v1/metrics URL form works without headers, and the access log never holds the key', async () => {
    const { townId, key } = await townWithKey('url form');
    const p = sdk({ kind: 'proto', url: `${s.url}/otlp/${key}/v1/metrics`, temporality: DELTA });
    use(p, 7, 3, 0.01);
    await p.provider.shutdown();
    expect(await totals(townId)).toMatchObject({ input_tokens: 7, output_tokens: 3, cost_microdollars: 10_000 });
    expect(accessLog.filter((e) => e.route === '/otlp/:key/v1/metrics').length).toBeGreaterThan(0);
    expect(JSON.stringify(accessLog)).not.toContain(key);
    expect(s.logs.join('\n')).not.toContain(key);
    // A mistyped path is a 404 that does not echo the key either.
    const typo = await fetch(`${s.url}/otlp/${key}/v1/metricz`, { method: 'POST', headers: PROTO, body: '' });
    expect(typo.status).toBe(404);
    expect(await typo.text()).not.toContain(key);
  });

  it("the README's environment recipe: OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_HEADERS", async () => {
    const { townId, key } = await townWithKey('env recipe');
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = s.url;
    process.env.OTEL_EXPORTER_OTLP_HEADERS = `Authorization=Bearer ${key}`;
    try {
      const exporter = new ProtoExporter({ temporalityPreference: DELTA });
      const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
      const provider = new MeterProvider({ readers: [reader] });
      provider.getMeter('claude_code').createCounter('claude_code.token.usage').add(42, { type: 'output', model: 'm' });
      await provider.shutdown();
    } finally {
      delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
      delete process.env.OTEL_EXPORTER_OTLP_HEADERS;
    }
    expect(await totals(townId)).toMatchObject({ output_tokens: 42 });
  });

  it('an exporter restart (new start time) is a reset, not a negative or a loss', async () => {
    const { townId, key } = await townWithKey('restart');
    const first = sdk({ kind: 'proto', url: `${s.url}/v1/metrics`, key, temporality: CUMULATIVE });
    use(first, 100, 10, 1);
    await first.provider.shutdown();
    await new Promise((r) => setTimeout(r, 5));
    const second = sdk({ kind: 'proto', url: `${s.url}/v1/metrics`, key, temporality: CUMULATIVE });
    use(second, 30, 3, 0.5);
    await second.provider.shutdown();
    expect(await totals(townId)).toMatchObject({ input_tokens: 130, output_tokens: 13, cost_microdollars: 1_500_000 });
  });

  it('two processes with the same session.id (different resources) both count', async () => {
    const { townId, key } = await townWithKey('twins');
    const a = sdk({ kind: 'proto', url: `${s.url}/v1/metrics`, key, temporality: CUMULATIVE, resource: { 'process.pid': '1' } });
    const b = sdk({ kind: 'proto', url: `${s.url}/v1/metrics`, key, temporality: CUMULATIVE, resource: { 'process.pid': '2' } });
    use(a, 5, 1, 0, 'shared');
    use(b, 7, 1, 0, 'shared');
    await Promise.all([a.reader.forceFlush(), b.reader.forceFlush()]);
    use(a, 1, 0, 0, 'shared');
    await Promise.all([a.provider.shutdown(), b.provider.shutdown()]);
    expect(await totals(townId)).toMatchObject({ input_tokens: 13, output_tokens: 2 });
  });
});

/** Hand-built requests: retries, encodings, bad bodies. */
function request(
  points: { value: number; start: number; time: number; type?: string }[],
  temporality = 1,
  name = 'claude_code.token.usage',
) {
  return {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'gt.agent', value: { stringValue: 'polecat-1' } }] },
        scopeMetrics: [
          {
            scope: { name: 'com.anthropic.claude_code' },
            metrics: [
              {
                name,
                sum: {
                  aggregationTemporality: temporality,
                  isMonotonic: true,
                  dataPoints: points.map((p) => ({
                    attributes: [
                      { key: 'type', value: { stringValue: p.type ?? 'input' } },
                      { key: 'model', value: { stringValue: 'm' } },
                    ],
                    startTimeUnixNano: nanos(p.start),
                    timeUnixNano: nanos(p.time),
                    asInt: String(p.value),
                  })),
                },
              },
            ],
          },
        ],
      },
    ],
  };
}
const protoOf = (json: object) => OTLP.metricsRequest.encode(OTLP.metricsRequest.fromObject(json)).finish();

const post = (path: string, key: string, body: Uint8Array | string, headers: Record<string, string>) =>
  postTo(s, path, key, body, headers);
const T0 = Date.now() - 60_000;
const t0 = () => T0;

describe('OTLP metrics: exactly once, encodings, bad bodies', () => {
  const t0 = T0;

  it('the same body posted twice counts once (delta and cumulative)', async () => {
    const { townId, key } = await townWithKey('retry');
    const delta = protoOf(request([{ value: 5, start: t0, time: t0 + 1000 }], 1));
    const cumulative = protoOf(request([{ value: 9, start: t0, time: t0 + 1000, type: 'output' }], 2));
    for (const body of [delta, delta, cumulative, cumulative])
      expect((await post('/v1/metrics', key, body, PROTO)).status).toBe(200);
    expect(await totals(townId)).toMatchObject({ input_tokens: 5, output_tokens: 9 });
  });

  it("a resource's gt.issue attributes its points to that bead", async () => {
    const { townId, key } = await townWithKey('issue');
    const body = request([{ value: 40, start: t0, time: t0 + 1000 }], 1);
    body.resourceMetrics[0]?.resource.attributes.push({ key: 'gt.issue', value: { stringValue: 'gt-42' } });
    expect((await post('/v1/metrics', key, protoOf(body), PROTO)).status).toBe(200);
    const beads = await s.get(`/api/towns/${townId}/beads`);
    expect(beads.body.items.map((b: { beadId: string; inputTokens: number }) => [b.beadId, b.inputTokens])).toEqual([
      ['gt-42', 40],
    ]);
  });

  it('a protobuf body and a JSON body with the same points give the same totals, and a gzipped one too', async () => {
    const json = request([
      { value: 3, start: t0, time: t0 + 1000 },
      { value: 4, start: t0 + 1000, time: t0 + 2000, type: 'cacheRead' },
    ]);
    const a = await townWithKey('proto body');
    const b = await townWithKey('json body');
    const c = await townWithKey('gzip body');
    const pr = await post('/v1/metrics', a.key, protoOf(json), PROTO);
    expect(pr).toMatchObject({ status: 200, type: 'application/x-protobuf' });
    const jr = await post('/v1/metrics', b.key, JSON.stringify(json), JSON_TYPE);
    expect(jr.status).toBe(200);
    expect(JSON.parse(Buffer.from(jr.bytes).toString())).toEqual({});
    expect((await post('/v1/metrics', c.key, gzipSync(protoOf(json)), { ...PROTO, 'content-encoding': 'gzip' })).status).toBe(
      200,
    );
    const expected = { input_tokens: 3, cache_read_tokens: 4 };
    expect(await totals(a.townId)).toMatchObject(expected);
    expect(await totals(b.townId)).toEqual(await totals(a.townId));
    expect(await totals(c.townId)).toEqual(await totals(a.townId));
  });

  it('unknown metrics are accepted and ignored, not counted as rejected (an SDK logs every partial success)', async () => {
    const { townId, key } = await townWithKey('unknown');
    const body = request([{ value: 3, start: t0, time: t0 + 1000 }], 1);
    body.resourceMetrics[0]?.scopeMetrics[0]?.metrics.push(
      request([{ value: 1, start: t0, time: t0 }], 1, 'x.y').resourceMetrics[0]?.scopeMetrics[0]?.metrics[0] as never,
    );
    const r = await post('/v1/metrics', key, protoOf(body), PROTO);
    expect(r.status).toBe(200);
    const response = OTLP.metricsResponse.toObject(OTLP.metricsResponse.decode(r.bytes), { longs: Number });
    expect(response).toEqual({});
    expect(await totals(townId)).toMatchObject({ input_tokens: 3 });
  });

  it('bad bodies are 400 with nothing stored; a zip bomb is 413', async () => {
    const { townId, key } = await townWithKey('bad');
    const cases: [Uint8Array | string, Record<string, string>, number][] = [
      [new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), PROTO, 400],
      ['{"resourceMetrics": 5}', JSON_TYPE, 400],
      ['not json', JSON_TYPE, 400],
      [protoOf(request([{ value: 1, start: t0, time: t0 }])), { 'content-type': 'text/plain' }, 400],
      [new Uint8Array([1, 2, 3]), { ...PROTO, 'content-encoding': 'gzip' }, 400],
      [gzipSync(Buffer.alloc(2 * 1024 * 1024)), { ...PROTO, 'content-encoding': 'gzip' }, 413],
    ];
    for (const [body, headers, status] of cases) expect((await post('/v1/metrics', key, body, headers)).status).toBe(status);
    expect(Object.values(await totals(townId)).every((v) => v === 0)).toBe(true);
    expect((await s.get('/api/health', null)).status).toBe(200);
  });

  it('401 without a credential or with a user token; a URL without a ggi_ key is 401', async () => {
    const body = protoOf(request([{ value: 1, start: t0, time: t0 }]));
    expect((await fetch(`${s.url}/v1/metrics`, { method: 'POST', headers: PROTO, body: Buffer.from(body) })).status).toBe(401);
    expect((await post('/v1/metrics', s.adminToken, body, PROTO)).status).toBe(401);
    expect(
      (await fetch(`${s.url}/otlp/${s.ingestToken}/v1/metrics`, { method: 'POST', headers: PROTO, body: Buffer.from(body) }))
        .status,
    ).toBe(401);
  });
});

describe('OTLP load shedding', () => {
  it(`${MAX_OTLP_IN_FLIGHT} slow uploads hold no slot: another exporter is still served`, async () => {
    const { townId, key } = await townWithKey('busy');
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': '1000' };
    // Requests whose bodies never finish: a slot is taken only once a body has arrived.
    const slow: ClientRequest[] = [];
    for (let i = 0; i < MAX_OTLP_IN_FLIGHT; i++) {
      const req = httpRequest(`${s.url}/v1/metrics`, { method: 'POST', agent: false, headers });
      req.on('error', () => {});
      req.write('{"resourceMetrics": [');
      slow.push(req);
    }
    await new Promise((r) => setTimeout(r, 200));
    const body = JSON.stringify(request([{ value: 2, start: t0(), time: t0() + 1 }]));
    const r = await fetch(`${s.url}/v1/metrics`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, ...JSON_TYPE },
      body,
    });
    expect(r.status).toBe(200);
    for (const req of slow) req.destroy();
    expect(await totals(townId)).toMatchObject({ input_tokens: 2 });
  });
});

describe('OTLP logs', () => {
  const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
  const apiRequest = (time: number) => ({
    resourceLogs: [
      {
        resource: { attributes: [str('gt.agent', 'polecat-1')] },
        scopeLogs: [
          {
            scope: { name: 'com.anthropic.claude_code.events' },
            logRecords: [
              {
                timeUnixNano: nanos(time),
                eventName: 'claude_code.api_request',
                body: { stringValue: 'claude_code.api_request' },
                attributes: [
                  str('event.name', 'api_request'),
                  str('model', 'm'),
                  str('request_id', 'req_1'),
                  str('input_tokens', '5'),
                  str('output_tokens', '1'),
                  str('cost_usd', '0.01'),
                ],
              },
            ],
          },
        ],
      },
    ],
  });

  it('an api_request event and the metric of the same spend count it once (the metric)', async () => {
    const { townId, key } = await townWithKey('logs and metrics');
    expect((await post('/v1/metrics', key, protoOf(request([{ value: 5, start: T0, time: T0 + 1000 }])), PROTO)).status).toBe(
      200,
    );
    const logs = apiRequest(T0 + 1000);
    const proto = await post('/v1/logs', key, OTLP.logsRequest.encode(OTLP.logsRequest.fromObject(logs)).finish(), PROTO);
    expect(proto).toMatchObject({ status: 200, type: 'application/x-protobuf' });
    expect(OTLP.logsResponse.toObject(OTLP.logsResponse.decode(proto.bytes))).toEqual({});
    const json = await post(`/otlp/${key}/v1/logs`, 'unused', JSON.stringify(logs), JSON_TYPE);
    expect(json.status).toBe(200);
    expect(await totals(townId)).toMatchObject({ input_tokens: 5, output_tokens: 0, cost_microdollars: 0 });
  });

  it('a bad log body is 400; no credential is 401', async () => {
    const { key } = await townWithKey('bad logs');
    expect((await post('/v1/logs', key, '{"resourceLogs": {"x": 1}}', JSON_TYPE)).status).toBe(400);
    expect((await post('/v1/logs', key, new Uint8Array([0x0a, 0xff]), PROTO)).status).toBe(400);
    expect((await fetch(`${s.url}/v1/logs`, { method: 'POST', headers: JSON_TYPE, body: '{}' })).status).toBe(401);
  });
});

/** What an attacker on loopback found in review, each fixed. */
describe('OTLP: bounded work per export, no forged or shared series', () => {
  const at = () => T0 + 5000;

  it('an export of more than 5,000 points is a 400, and nothing of it is stored', async () => {
    const { townId, key } = await townWithKey('too many points');
    const points = Array.from({ length: 5001 }, (_, i) => ({ value: 1, start: at(), time: at() + i + 1 }));
    const r = await post('/v1/metrics', key, protoOf(request(points)), PROTO);
    expect(r.status).toBe(400);
    expect((await totals(townId)).input_tokens ?? 0).toBe(0);
  });

  it('a resource with more than 128 attributes has its points rejected in partial_success, cheaply', async () => {
    const { townId, key } = await townWithKey('wide resource');
    const body = request([{ value: 7, start: at(), time: at() + 1 }]);
    const attributes = body.resourceMetrics[0]?.resource.attributes ?? [];
    for (let i = 0; i < 129; i++) attributes.push({ key: `k${i}`, value: { stringValue: 'v' } });
    const r = await post('/v1/metrics', key, JSON.stringify(body), JSON_TYPE);
    expect(r.status).toBe(200);
    expect(JSON.parse(Buffer.from(r.bytes).toString())).toMatchObject({ partialSuccess: { rejectedDataPoints: 1 } });
    expect((await totals(townId)).input_tokens ?? 0).toBe(0);
  });

  it('a JSON body that is not an object is a 400', async () => {
    const { key } = await townWithKey('array body');
    expect((await post('/v1/metrics', key, '[1,2]', JSON_TYPE)).status).toBe(400);
  });

  it('a list where one value belongs, or inside a list, is a 400 naming the field, not an empty message', async () => {
    const { key } = await townWithKey('nested lists');
    for (const [body, path] of [
      ['{"resourceMetrics":[[]]}', 'resourceMetrics'],
      ['{"resourceMetrics":[{"scopeMetrics":[[]]}]}', 'scopeMetrics'],
      ['{"resourceMetrics":[{"resource":{"attributes":[[]]}}]}', 'attributes'],
      ['{"resourceMetrics":[{"resource":[],"scopeMetrics":[]}]}', 'resource'],
      ['{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":["a"],"sum":{"dataPoints":[]}}]}]}]}', 'name'],
      [
        '{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"a","sum":{"dataPoints":[{"timeUnixNano":[1]}]}}]}]}]}',
        'timeUnixNano',
      ],
    ] as const) {
      const r = await post('/v1/metrics', key, body, JSON_TYPE);
      expect(r.status, body).toBe(400);
      expect(JSON.parse(Buffer.from(r.bytes).toString()).error.path, body).toBe(path);
    }
    const logs = await post('/v1/logs', key, '{"resourceLogs":[[]]}', JSON_TYPE);
    expect(logs.status).toBe(400);
  });

  it("an agent-scoped key's series is its own: another key's totals for the same attributes are not cancelled", async () => {
    const { townId, key } = await townWithKey('shared series');
    const scoped = (await s.post('/trpc/towns.createKey', { townId, name: 'scoped', agentId: 'polecat-9' }, s.adminToken)).body
      .result.data.key as string;
    const body = (value: number) => protoOf(request([{ value, start: at(), time: at() + 1000 }], 2));
    expect((await post('/v1/metrics', scoped, body(1000), PROTO)).status).toBe(200);
    expect((await post('/v1/metrics', key, body(500), PROTO)).status).toBe(200);
    expect((await post('/v1/metrics', key, body(1500), PROTO)).status).toBe(200);
    expect(await totals(townId)).toMatchObject({ input_tokens: 2500 });
  });

  it('the usage API refuses record ids in the OTLP namespace, so none can be forged', async () => {
    const r = await s.post(
      `/api/towns/${s.townId}/usage`,
      { records: [{ id: 'otlp_x', agentId: 'a', model: 'm', inputTokens: 1, outputTokens: 0, costMicrodollars: 0, at: at() }] },
      s.ingestToken,
    );
    expect(r.status).toBe(400);
    expect(r.body.error.path).toBe('records[0].id');
  });
});
