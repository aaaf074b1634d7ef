import { startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSON_TYPE, nanos, post, totals, townWithKey } from './testing/town.js';

/** OTLP JSON numbers sent as strings, to a real server on loopback: only decimals are numbers. */
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ autoTick: false });
});
afterAll(async () => {
  await s?.close();
});

const at = Date.now() - 60_000;
const str = (key: string, v: string) => ({ key, value: { stringValue: v } });

/** A Codex completed-response log record whose input token count is `input`. */
function codexLog(input: string, time: string = nanos(at)) {
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [str('service.name', 'codex_exec'), str('gt.agent', 'codex-1')] },
        scopeLogs: [
          {
            logRecords: [
              {
                timeUnixNano: time,
                attributes: [
                  str('event.name', 'codex.sse_event'),
                  str('event.kind', 'response.completed'),
                  str('conversation.id', `c-${input}-${time}`),
                  str('model', 'gpt-5'),
                  str('input_token_count', input),
                ],
              },
            ],
          },
        ],
      },
    ],
  });
}

/** A delta sum point of `claude_code.token.usage` whose value field is `value`. */
function metric(value: Record<string, unknown>) {
  return JSON.stringify({
    resourceMetrics: [
      {
        scopeMetrics: [
          {
            metrics: [
              {
                name: 'claude_code.token.usage',
                sum: {
                  aggregationTemporality: 1,
                  isMonotonic: true,
                  dataPoints: [{ attributes: [str('type', 'input')], timeUnixNano: nanos(at), ...value }],
                },
              },
            ],
          },
        ],
      },
    ],
  });
}

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString();

describe('OTLP JSON string numbers', () => {
  it.each(['0x10', '0b1', '0o7', ' 12 ', '12abc', 'Infinity', '', '-3'])(
    'a log amount %j is refused by name, not read as a number',
    async (bad) => {
      const { townId, key } = await townWithKey(s, `amount ${bad}`);
      const r = await post(s, '/v1/logs', key, codexLog(bad), JSON_TYPE);
      expect(r.status).toBe(200);
      expect(JSON.parse(text(r.bytes))).toEqual({
        partialSuccess: {
          rejectedLogRecords: 1,
          errorMessage: expect.stringContaining('input_token_count must be a decimal number'),
        },
      });
      expect((await totals(s, townId)).input_tokens).toBe(0);
    },
  );

  it('plain decimals (and the JSON form of a double) are read', async () => {
    const { townId, key } = await townWithKey(s, 'amount ok');
    for (const good of ['12', '12.0', '1e3'])
      expect((await post(s, '/v1/logs', key, codexLog(good), JSON_TYPE)).status).toBe(200);
    expect((await totals(s, townId)).input_tokens).toBe(1024);
  });

  it.each(['-5', '1.5', '0x10', '1e18', ' 17 '])('a time %j is a 400 naming timeUnixNano', async (bad) => {
    const { townId, key } = await townWithKey(s, `time ${bad}`);
    const r = await post(s, '/v1/logs', key, codexLog('12', bad), JSON_TYPE);
    expect(r.status).toBe(400);
    const { error } = JSON.parse(text(r.bytes));
    expect(error.path).toBe('timeUnixNano');
    expect(error.message).toContain('timeUnixNano must be a non-negative integer of nanoseconds');
    expect(error.message).not.toContain('18446744073709551615');
    expect((await totals(s, townId)).input_tokens).toBe(0);
  });

  it.each([
    ['asInt', '0x10'],
    ['asInt', '12abc'],
    ['asDouble', '0x10'],
    ['asDouble', 'Infinity'],
  ])('a metric %s of %j is a 400 naming the field', async (field, bad) => {
    const { key } = await townWithKey(s, `metric ${field} ${bad}`);
    const r = await post(s, '/v1/metrics', key, metric({ [field]: bad }), JSON_TYPE);
    expect(r.status).toBe(400);
    expect(JSON.parse(text(r.bytes)).error.path).toBe(field);
  });
});

describe('OTLP JSON values of the wrong kind or past their field', () => {
  it.each([
    ['asInt', '18446744073709551621', 'asInt'], // 2^64 + 5: protobufjs wrapped it to 5 tokens
    ['asInt', '9223372036854775808', 'asInt'], // 2^63: past int64
    ['asInt', { low: 5, high: 0 }, 'asInt'], // a protobufjs Long, read as 5
    ['asDouble', true, 'asDouble'], // read as 1
    ['timeUnixNano', { low: 5, high: 0 }, 'timeUnixNano'], // passed the time checks as 5 ns
    ['name', 5, 'name'],
    ['time_unix_nano', nanos(at), 'time_unix_nano'], // the .proto's spelling, which protobufjs ignored
  ] as [string, unknown, string][])('a point with %s %j is a 400 naming %s, nothing stored', async (field, bad, path) => {
    const { townId, key } = await townWithKey(s, `kind ${field}`.replace(/[^a-zA-Z0-9 ]/g, ''));
    const point = { asInt: '5', [field]: bad };
    const body = field === 'name' ? metric(point).replace('"claude_code.token.usage"', '5') : metric(point);
    const r = await post(s, '/v1/metrics', key, body, JSON_TYPE);
    expect(r.status, text(r.bytes)).toBe(400);
    expect(JSON.parse(text(r.bytes)).error.path).toBe(path);
    expect((await totals(s, townId)).input_tokens).toBe(0);
  });

  it('an export spelt as the .proto spells it (resource_metrics) is a 400, not a 200 that stores nothing', async () => {
    const { townId, key } = await townWithKey(s, 'proto spelling');
    const r = await post(
      s,
      '/v1/metrics',
      key,
      metric({ asInt: '5' }).replace('"resourceMetrics"', '"resource_metrics"'),
      JSON_TYPE,
    );
    expect(r.status).toBe(400);
    expect(JSON.parse(text(r.bytes)).error).toMatchObject({
      path: 'resource_metrics',
      message: expect.stringContaining('resourceMetrics'),
    });
    expect((await totals(s, townId)).input_tokens).toBe(0);
  });

  it('a log amount as an intValue past int64 is a 400 naming intValue, not wrapped to 5 tokens', async () => {
    const { townId, key } = await townWithKey(s, 'int64 log amount');
    const body = codexLog('7').replace('{"stringValue":"7"}', '{"intValue":"18446744073709551621"}');
    const r = await post(s, '/v1/logs', key, body, JSON_TYPE);
    expect(r.status, text(r.bytes)).toBe(400);
    expect(JSON.parse(text(r.bytes)).error.path).toBe('intValue');
    expect((await totals(s, townId)).input_tokens).toBe(0);
  });
});
