import { startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import type { Attributes } from '@opentelemetry/api';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as HttpExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality,
  AggregationType,
  MeterProvider,
  PeriodicExportingMetricReader,
  type ViewOptions,
} from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSON_TYPE, nanos, post, totals, townWithKey } from './testing/town.js';

/**
 * Each agent runtime's metrics as it really records them (its instruments, meter name, attributes), through the
 * real OpenTelemetry JS SDK to a real server on loopback; the town's counters must be the runtime's own totals.
 */
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ autoTick: false });
});
afterAll(async () => {
  await s?.close();
});

const { DELTA, CUMULATIVE } = AggregationTemporality;
type Kind = 'proto' | 'json';

function provider(kind: Kind, key: string, temporality: AggregationTemporality, resource: Attributes, views?: ViewOptions[]) {
  const config = {
    url: `${s.url}/v1/metrics`,
    headers: { Authorization: `Bearer ${key}` },
    temporalityPreference: temporality,
  };
  const exporter = kind === 'proto' ? new ProtoExporter(config) : new HttpExporter(config);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  return {
    reader,
    provider: new MeterProvider({ resource: resourceFromAttributes(resource), readers: [reader], views: views ?? [] }),
  };
}

/**
 * Gemini CLI (packages/core/src/telemetry/metrics.ts): one meter named `gemini-cli`; every API response's tokens
 * go to the counter `gemini_cli.token.usage` (type input, output, thought, cache, tool) and, for input and output,
 * to the histogram `gen_ai.client.token.usage` too (recordTokenUsageMetrics), with the GenAI attributes.
 */
function geminiCli(kind: Kind, key: string, temporality: AggregationTemporality) {
  // Its resource: service.name, service.version (Node's), session.id (telemetry/sdk.ts).
  const resource = { 'service.name': 'gemini-cli', 'service.version': 'v20.19.0', 'session.id': 'gem-session-1' };
  const p = provider(kind, key, temporality, resource);
  const meter = p.provider.getMeter('gemini-cli');
  const tokens = meter.createCounter('gemini_cli.token.usage');
  const genAi = meter.createHistogram('gen_ai.client.token.usage', { unit: 'token' });
  const common = { 'session.id': 'gem-session-1', 'installation.id': 'inst-1', interactive: true };
  const response = (usage: Record<'input' | 'output' | 'thought' | 'cache' | 'tool', number>) => {
    for (const [type, count] of Object.entries(usage)) {
      tokens.add(count, { ...common, model: 'gemini-2.5-pro', type });
      if (type === 'input' || type === 'output')
        genAi.record(count, {
          ...common,
          'gen_ai.operation.name': 'generate_content',
          'gen_ai.provider.name': 'gcp.gen_ai',
          'gen_ai.request.model': 'gemini-2.5-pro',
          'gen_ai.response.model': 'gemini-2.5-pro',
          'gen_ai.token.type': type,
        });
    }
  };
  return { ...p, response };
}

describe('Gemini CLI', () => {
  it.each([
    ['proto', CUMULATIVE],
    ['proto', DELTA],
    ['json', CUMULATIVE],
    ['json', DELTA],
  ] as [Kind, AggregationTemporality][])(
    '%s, temporality %s: its tokens count once, though it records input and output in two metrics',
    async (kind, temporality) => {
      const { townId, key } = await townWithKey(s, `gemini ${kind} ${temporality}`);
      const g = geminiCli(kind, key, temporality);
      g.response({ input: 1000, output: 200, thought: 50, cache: 400, tool: 7 });
      await g.reader.forceFlush();
      g.response({ input: 300, output: 20, thought: 0, cache: 0, tool: 0 });
      await g.provider.shutdown();
      // Input is prompt tokens (cached ones inside) plus tool-use prompt tokens; thoughts are reasoning.
      expect(await totals(s, townId)).toMatchObject({
        input_tokens: 1307,
        output_tokens: 220,
        reasoning_tokens: 50,
        cache_read_tokens: 0,
      });
    },
  );

  it('gzipped by the SDK (OTEL_EXPORTER_OTLP_COMPRESSION=gzip), proto and JSON alike', async () => {
    for (const kind of ['proto', 'json'] as const) {
      const { townId, key } = await townWithKey(s, `gemini gzip ${kind}`);
      process.env.OTEL_EXPORTER_OTLP_COMPRESSION = 'gzip';
      let g: ReturnType<typeof geminiCli>;
      try {
        g = geminiCli(kind, key, CUMULATIVE);
      } finally {
        delete process.env.OTEL_EXPORTER_OTLP_COMPRESSION;
      }
      g.response({ input: 40, output: 4, thought: 0, cache: 0, tool: 0 });
      await g.provider.shutdown();
      expect(await totals(s, townId)).toMatchObject({ input_tokens: 40, output_tokens: 4 });
    }
  });

  it('gen_ai.client.token.usage from another meter (the GenAI conventions alone) still counts', async () => {
    const { townId, key } = await townWithKey(s, 'genai alone');
    const p = provider('proto', key, DELTA, { 'service.name': 'my-agent' });
    p.provider
      .getMeter('my-agent')
      .createHistogram('gen_ai.client.token.usage')
      .record(64, { 'gen_ai.token.type': 'input', 'gen_ai.request.model': 'gpt-5', 'gen_ai.provider.name': 'openai' });
    await p.provider.shutdown();
    expect(await totals(s, townId)).toMatchObject({ input_tokens: 64 });
  });

  it.each([
    ['proto', CUMULATIVE],
    ['json', DELTA],
  ] as [Kind, AggregationTemporality][])(
    '%s, temporality %s: gen_ai.client.token.usage as an exponential histogram (OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION) counts its sum',
    async (kind, temporality) => {
      const { townId, key } = await townWithKey(s, `genai exponential ${kind} ${temporality}`);
      const exponential = [
        { instrumentName: 'gen_ai.client.token.usage', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } },
      ] as ViewOptions[];
      const p = provider(kind, key, temporality, { 'service.name': 'py-agent' }, exponential);
      const h = p.provider.getMeter('opentelemetry.instrumentation.openai_v2').createHistogram('gen_ai.client.token.usage');
      const attrs = { 'gen_ai.request.model': 'gpt-5', 'gen_ai.provider.name': 'openai' };
      h.record(700, { ...attrs, 'gen_ai.token.type': 'input' });
      h.record(30, { ...attrs, 'gen_ai.token.type': 'output' });
      await p.reader.forceFlush();
      h.record(300, { ...attrs, 'gen_ai.token.type': 'input' });
      await p.provider.shutdown();
      expect(await totals(s, townId)).toMatchObject({ input_tokens: 1000, output_tokens: 30 });
    },
  );
});

/**
 * Codex (codex-rs core, emit_turn_token_usage_metrics): per turn, one histogram `codex.turn.token_usage` point per
 * `token_type` — total, input, cached_input, cache_write_input (newer versions), output, reasoning_output — where
 * input holds the cached and cache-write tokens, output the reasoning ones, and total is input + output.
 */
describe('Codex', () => {
  const turn = (h: ReturnType<ReturnType<MeterProvider['getMeter']>['createHistogram']>, input: number, output: number) => {
    const cached = Math.floor(input / 2);
    const written = Math.floor(input / 10);
    for (const [type, value] of [
      ['total', input + output],
      ['input', input],
      ['cached_input', cached],
      ['cache_write_input', written],
      ['output', output],
      ['reasoning_output', Math.floor(output / 3)],
    ] as const)
      h.record(value, { token_type: type, tmp_mem: 'false', model: 'gpt-5-codex' });
  };

  it.each([
    ['proto', CUMULATIVE],
    ['json', DELTA],
  ] as [Kind, AggregationTemporality][])(
    '%s, temporality %s: a turn counts its input and output once',
    async (kind, temporality) => {
      const { townId, key } = await townWithKey(s, `codex ${kind} ${temporality}`);
      const p = provider(kind, key, temporality, { 'service.name': 'codex_exec', 'service.version': '0.60.0' });
      const h = p.provider.getMeter('codex').createHistogram('codex.turn.token_usage');
      turn(h, 1000, 90);
      await p.reader.forceFlush();
      turn(h, 500, 30);
      await p.provider.shutdown();
      expect(await totals(s, townId)).toMatchObject({ input_tokens: 1500, output_tokens: 120, cache_read_tokens: 0 });
    },
  );

  /**
   * Codex builds its metrics resource (metrics/client.rs: service.name, service.version, env) apart from its logs
   * resource (provider.rs make_resource: the same, and host.name for logs only): one sender all the same.
   */
  it.each([
    ['logs first', true],
    ['metrics first', false],
  ])('%s: its sse_event logs and turn metrics, whose resources differ by host.name, count once', async (_, logsFirst) => {
    const { townId, key } = await townWithKey(s, `codex two resources ${logsFirst}`);
    const base = { 'service.name': 'codex_exec', 'service.version': '0.60.0', env: 'prod' };
    const metrics = provider('proto', key, DELTA, base);
    const h = metrics.provider.getMeter('codex').createHistogram('codex.turn.token_usage');
    const logs = new LoggerProvider({
      resource: resourceFromAttributes({ ...base, 'host.name': 'build-7' }),
      processors: [
        new SimpleLogRecordProcessor({
          exporter: new ProtoLogExporter({ url: `${s.url}/v1/logs`, headers: { Authorization: `Bearer ${key}` } }),
        }),
      ],
    });
    const logger = logs.getLogger('codex_otel');
    // Two responses in one turn: a completed event each, and the turn's metrics once.
    for (const [input, output] of [
      [600, 50],
      [400, 30],
    ] as const)
      logger.emit({
        attributes: {
          'event.name': 'codex.sse_event',
          'event.kind': 'response.completed',
          'conversation.id': 'conv-7',
          model: 'gpt-5-codex',
          input_token_count: String(input),
          output_token_count: String(output),
          cached_token_count: String(input / 2),
        },
      });
    turn(h, 1000, 80);
    const [first, second] = logsFirst
      ? [() => logs.forceFlush(), () => metrics.reader.forceFlush()]
      : [() => metrics.reader.forceFlush(), () => logs.forceFlush()];
    await first();
    await second();
    await Promise.all([logs.shutdown(), metrics.provider.shutdown()]);
    expect(await totals(s, townId)).toMatchObject({ input_tokens: 1000, output_tokens: 80 });
  });

  it('cache_write_input is accepted as part of input, not rejected in partialSuccess', async () => {
    const { townId, key } = await townWithKey(s, 'codex cache write');
    const at = nanos(Date.now() - 60_000);
    const point = (type: string, value: number) => ({
      attributes: [
        { key: 'token_type', value: { stringValue: type } },
        { key: 'model', value: { stringValue: 'gpt-5-codex' } },
      ],
      timeUnixNano: at,
      count: '1',
      sum: value,
    });
    const body = {
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'codex_exec' } }] },
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'codex.turn.token_usage',
                  histogram: {
                    aggregationTemporality: 1,
                    dataPoints: [point('input', 100), point('cache_write_input', 20), point('output', 5)],
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    const r = await post(s, '/v1/metrics', key, JSON.stringify(body), JSON_TYPE);
    expect(r.status).toBe(200);
    expect(JSON.parse(Buffer.from(r.bytes).toString())).toEqual({});
    expect(await totals(s, townId)).toMatchObject({ input_tokens: 100, output_tokens: 5 });
  });
});

/**
 * Gas Town's agents through an OpenTelemetry Collector: one export holds several agents' resources (each
 * Claude Code process tagged by OTEL_RESOURCE_ATTRIBUTES gt.agent, gt.rig, gt.issue), cumulative.
 */
describe('several agents in one export (a Collector batching Gas Town agents)', () => {
  const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
  const T = Date.now() - 10 * 60_000;
  /** One resource per [agent, start, total input]: its Claude Code token counter, cumulative. */
  const batch = (agents: [agent: string, start: number, input: number][], time: number) =>
    JSON.stringify({
      resourceMetrics: agents.map(([agent, start, input]) => ({
        resource: {
          attributes: [
            str('service.name', 'claude-code'),
            str('gt.agent', agent),
            str('gt.rig', 'rig'),
            str('gt.issue', `gt-${agent}`),
          ],
        },
        scopeMetrics: [
          {
            scope: { name: 'com.anthropic.claude_code', version: '2.0.0' },
            metrics: [
              {
                name: 'claude_code.token.usage',
                sum: {
                  aggregationTemporality: 2,
                  isMonotonic: true,
                  dataPoints: [
                    {
                      attributes: [
                        str('type', 'input'),
                        str('model', 'claude-sonnet-4-5'),
                        str('session.id', `s-${agent}-${start}`),
                      ],
                      startTimeUnixNano: nanos(start),
                      timeUnixNano: nanos(time),
                      asInt: String(input),
                    },
                  ],
                },
              },
            ],
          },
        ],
      })),
    });

  it('each agent counts its increase once: a retried batch, and one agent restarted (counting from 0 again)', async () => {
    const { townId, key } = await townWithKey(s, 'collector batch');
    const send = async (body: string) => {
      const r = await post(s, '/v1/metrics', key, body, JSON_TYPE);
      expect(r.status).toBe(200);
      expect(JSON.parse(Buffer.from(r.bytes).toString())).toEqual({});
    };
    const first = batch(
      [
        ['polecat-1', T, 100],
        ['polecat-2', T, 200],
        ['witness', T, 5],
      ],
      T + 60_000,
    );
    await send(first);
    await send(first); // the Collector's retry
    // polecat-2 restarted (a new start time, its counter from 0); the others went on.
    await send(
      batch(
        [
          ['polecat-1', T, 150],
          ['polecat-2', T + 90_000, 30],
          ['witness', T, 5],
        ],
        T + 120_000,
      ),
    );
    expect(await totals(s, townId)).toMatchObject({ input_tokens: 150 + 230 + 5 });
    // Each agent's bead (its resource's gt.issue) holds that agent's tokens.
    const beads = await s.get(`/api/towns/${townId}/beads`);
    const byBead = (beads.body.items as { beadId: string; inputTokens: number }[]).map((b) => [b.beadId, b.inputTokens]);
    expect(byBead.sort()).toEqual([
      ['gt-polecat-1', 150],
      ['gt-polecat-2', 230],
      ['gt-witness', 5],
    ]);
  });
});

/**
 * Claude Code with OTEL_METRICS_INCLUDE_SESSION_ID=false and no Gas Town: its metrics carry no session.id (their
 * agent is its service.name), its api_request events do (their agent is service.name/session.id).
 */
describe('Claude Code', () => {
  it.each([
    ['logs first', true],
    ['metrics first', false],
  ])('%s: events with session.id and metrics without it are one sender, counted once', async (_, logsFirst) => {
    const { townId, key } = await townWithKey(s, `claude no session ${logsFirst}`);
    const resource = { 'service.name': 'claude-code', 'service.version': '2.0.30', 'os.type': 'linux', 'host.arch': 'amd64' };
    const metrics = provider('proto', key, DELTA, resource);
    const meter = metrics.provider.getMeter('com.anthropic.claude_code');
    const tokens = meter.createCounter('claude_code.token.usage');
    const cost = meter.createCounter('claude_code.cost.usage');
    const logs = new LoggerProvider({
      resource: resourceFromAttributes(resource),
      processors: [
        new SimpleLogRecordProcessor({
          exporter: new ProtoLogExporter({ url: `${s.url}/v1/logs`, headers: { Authorization: `Bearer ${key}` } }),
        }),
      ],
    });
    const logger = logs.getLogger('com.anthropic.claude_code.events');
    for (const [i, [input, output, usd]] of (
      [
        [900, 100, 0.02],
        [300, 60, 0.01],
      ] as const
    ).entries()) {
      logger.emit({
        body: 'claude_code.api_request',
        attributes: {
          'event.name': 'api_request',
          'event.timestamp': new Date().toISOString(),
          'event.sequence': i,
          'session.id': 'cc-session-1',
          model: 'claude-sonnet-4-5',
          input_tokens: String(input),
          output_tokens: String(output),
          cache_read_tokens: '0',
          cache_creation_tokens: '0',
          cost_usd: String(usd),
          duration_ms: '1500',
        },
      });
      tokens.add(input, { model: 'claude-sonnet-4-5', type: 'input' });
      tokens.add(output, { model: 'claude-sonnet-4-5', type: 'output' });
      cost.add(usd, { model: 'claude-sonnet-4-5' });
    }
    const [first, second] = logsFirst
      ? [() => logs.forceFlush(), () => metrics.reader.forceFlush()]
      : [() => metrics.reader.forceFlush(), () => logs.forceFlush()];
    await first();
    await second();
    await Promise.all([logs.shutdown(), metrics.provider.shutdown()]);
    expect(await totals(s, townId)).toMatchObject({ input_tokens: 1200, output_tokens: 160, cost_microdollars: 30_000 });
  });
});
