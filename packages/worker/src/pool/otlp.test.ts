import { exports } from 'cloudflare:workers';
import { expect, it } from 'vitest';

const ADMIN = 'ggu_pool-test-admin-token';

async function call(method: 'GET' | 'POST', path: string, token: string, body?: unknown, type = 'application/json') {
  const res = await exports.default.fetch(`http://w.test${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': type },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: res.status, text: await res.text() };
}

// KNOWN GAP: the OTLP receiver does not work on Workers yet. protobufjs builds its encoders and decoders with
// `new Function`, which workerd refuses ("Code generation from strings disallowed"), so /v1/metrics answers 400.
// Fix: static (pbjs-generated) message code in api/src/otlp. `it.fails` turns red once it works: then make it `it`.
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
