import { exports } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { POOL_ADMIN as ADMIN } from './call.js';

async function call(method: 'GET' | 'POST', path: string, token: string, body?: unknown, type = 'application/json') {
  const res = await exports.default.fetch(`http://w.test${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': type },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: res.status, text: await res.text() };
}

// protobufjs would build its codecs with `new Function`, which workerd refuses: api/src/otlp/schema.ts installs the
// ones generated at build time (codecs.generated.ts). Protobuf bodies from the OTel SDK: contract/otlp-contract.test.ts.
it('takes an OTLP/JSON metrics export in workerd', async () => {
  const town = JSON.parse((await call('POST', '/trpc/towns.create', ADMIN, { name: 'otlp town' })).text).result.data.id;
  const key = JSON.parse((await call('POST', '/trpc/towns.createKey', ADMIN, { townId: town, name: 'cc' })).text).result.data.key;
  const now = `${Date.now()}000000`;
  const point = (type: string, v: number) => ({
    attributes: [
      { key: 'type', value: { stringValue: type } },
      { key: 'model', value: { stringValue: 'claude-sonnet-4-5' } },
    ],
    startTimeUnixNano: now,
    timeUnixNano: now,
    asDouble: v,
  });
  const body = {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'claude-code' } }] },
        scopeMetrics: [
          {
            metrics: [
              {
                name: 'claude_code.token.usage',
                sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [point('input', 1200), point('output', 30)] },
              },
            ],
          },
        ],
      },
    ],
  };
  const r = await call('POST', '/v1/metrics', key, body);
  expect(r.status, r.text).toBe(200);
  const tp = JSON.parse((await call('GET', `/api/towns/${town}/metrics/throughput`, ADMIN)).text);
  expect(tp.tokensPerSecond).toBeGreaterThan(0);
});

// The same decoder bounds the Worker's exports (api/src/otlp/limits.ts): a body of tiny messages is a 400
// naming the field, decoded no further, in either encoding.
it('refuses an OTLP export past its bounds in workerd, naming the field', async () => {
  const town = JSON.parse((await call('POST', '/trpc/towns.create', ADMIN, { name: 'otlp bounds town' })).text).result.data.id;
  const key = JSON.parse((await call('POST', '/trpc/towns.createKey', ADMIN, { townId: town, name: 'cc' })).text).result.data.key;
  const pathOf = (r: { text: string }) => JSON.parse(r.text).error.path;
  const resources = await call('POST', '/v1/logs', key, { resourceLogs: Array.from({ length: 5001 }, () => ({})) });
  expect(resources.status, resources.text).toBe(400);
  expect(pathOf(resources)).toBe('resourceLogs');
  // 200,000 empty attributes of one record, as protobuf: 0x32 0x00 each, inside a record, scope and resource.
  const attributes = new Uint8Array(400_000).map((_, i) => (i % 2 === 0 ? 0x32 : 0));
  const wrap = (id: number, inner: Uint8Array) => {
    const len: number[] = [];
    for (let n = inner.length; ; n >>>= 7) {
      len.push(n > 127 ? (n & 127) | 128 : n);
      if (n <= 127) break;
    }
    return new Uint8Array([(id << 3) | 2, ...len, ...inner]);
  };
  const proto = wrap(1, wrap(2, wrap(2, attributes)));
  const res = await exports.default.fetch('http://w.test/v1/logs', {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-protobuf' },
    body: proto,
  });
  const text = await res.text();
  expect(res.status, text).toBe(400);
  expect(pathOf({ text })).toBe('body');
});
