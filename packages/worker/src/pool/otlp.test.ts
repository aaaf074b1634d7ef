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
