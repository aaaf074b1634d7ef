import { runInDurableObject } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import type { TownHandle } from '@gasgauge/api';
import { expect, it } from 'vitest';
import { WORKER_MAX_OTLP_IN_FLIGHT } from '../app.js';
import { CONTROL_NAME } from '../control-do.js';
import type { TownDO } from '../town-do.js';
import { POOL_ADMIN as ADMIN, call } from './call.js';

const townStub = (townId: string) => env.TOWN.get(env.TOWN.idFromName(townId));
/** The town object's handle (private): where an RPC from the Worker lands. */
const handleOf = (o: TownDO) => (o as unknown as { handle: TownHandle & { parked?: number } }).handle;

/**
 * Makes the town object's `method` wait for good, counting the calls that reached it, so a request is
 * surely inside the object when the test resets it (as a deploy or an eviction does to a live object).
 */
async function park(townId: string, method: 'ingest' | 'throughput'): Promise<void> {
  await runInDurableObject(townStub(townId), (o) => {
    const h = handleOf(o);
    h.parked = 0;
    h[method] = () => {
      h.parked = (h.parked ?? 0) + 1;
      // A timer, not a bare pending promise: workerd ends a request whose promise can never settle ("Promise will never complete").
      return new Promise<never>(() => setTimeout(() => {}, 60_000));
    };
  });
}

async function whenParked(townId: string, n: number): Promise<void> {
  for (;;) {
    const parked = await runInDurableObject(townStub(townId), (o) => handleOf(o).parked ?? 0);
    if (parked >= n) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** What a deploy, an eviction or a passed limit does to an object: calls in it fail with `durableObjectReset`. */
async function reset(townId: string): Promise<void> {
  await runInDurableObject(townStub(townId), (_o, state) => state.abort('reset by the test')).catch(() => {});
}

async function town(name: string): Promise<{ id: string; token: string }> {
  const id = (await call('POST', '/trpc/towns.create', ADMIN, { name })).body.result.data.id as string;
  const token = (await call('POST', '/trpc/towns.mintIngestToken', ADMIN, { townId: id })).body.result.data.token as string;
  return { id, token };
}

const record = (id: string) => ({
  id,
  agentId: 'a',
  model: 'm',
  inputTokens: 10,
  outputTokens: 1,
  costMicrodollars: 5,
  at: Date.now(),
});

/** An OTLP/JSON export of one Claude Code token count (the metric the receiver maps to usage). */
const otlpExport = (session: string) => ({
  resourceMetrics: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'claude-code' } }] },
      scopeMetrics: [
        {
          metrics: [
            {
              name: 'claude_code.token.usage',
              sum: {
                aggregationTemporality: 1,
                isMonotonic: true,
                dataPoints: [
                  {
                    asInt: '100',
                    timeUnixNano: String(Date.now() * 1_000_000),
                    attributes: [
                      { key: 'type', value: { stringValue: 'input' } },
                      { key: 'model', value: { stringValue: 'claude-sonnet-4-5' } },
                      { key: 'session.id', value: { stringValue: session } },
                    ],
                  },
                ],
              },
            },
          ],
        },
      ],
    },
  ],
});

it('an ingest the town object was reset under is a 503 with Retry-After, which reporters retry, and the retry counts once', async () => {
  const t = await town('reset ingest');
  await park(t.id, 'ingest');
  const pending = call('POST', `/api/towns/${t.id}/usage`, t.token, { records: [record('r1')] });
  await whenParked(t.id, 1);
  await reset(t.id);
  const answer = await pending;
  // A 500 before: an internal error, though nothing was wrong with the request.
  expect(answer).toMatchObject({ status: 503, retryAfter: '1', body: { error: { code: 'unavailable' } } });
  // The retry reaches the object as it starts again, and is counted once.
  expect(await call('POST', `/api/towns/${t.id}/usage`, t.token, { records: [record('r1')] })).toMatchObject({
    status: 200,
    body: { accepted: 1 },
  });
  expect(await call('POST', `/api/towns/${t.id}/usage`, t.token, { records: [record('r1')] })).toMatchObject({
    status: 200,
    body: { accepted: 0, duplicates: 1 },
  });
});

it('an OTLP export the town object was reset under is a 503, which exporters retry (a 500 they drop)', async () => {
  const t = await town('reset otlp');
  const key = (await call('POST', '/trpc/towns.createKey', ADMIN, { townId: t.id, name: 'otel' })).body.result.data.key as string;
  await park(t.id, 'ingest');
  const pending = call('POST', '/v1/metrics', key, otlpExport('s1'));
  await whenParked(t.id, 1);
  await reset(t.id);
  expect(await pending).toMatchObject({ status: 503, retryAfter: '1', body: { error: { code: 'unavailable' } } });
  expect(await call('POST', '/v1/metrics', key, otlpExport('s1'))).toMatchObject({ status: 200 });
});

it(`an isolate decodes at most ${WORKER_MAX_OTLP_IN_FLIGHT} OTLP exports at once (each ~9 MiB decoded): the next is a 429 exporters retry`, async () => {
  const t = await town('otlp in flight');
  const key = (await call('POST', '/trpc/towns.createKey', ADMIN, { townId: t.id, name: 'otel' })).body.result.data.key as string;
  // The town object is slow to write: the exports wait in it, each holding its decoded form in the isolate.
  await park(t.id, 'ingest');
  const waiting = Array.from({ length: WORKER_MAX_OTLP_IN_FLIGHT }, (_, i) =>
    call('POST', '/v1/metrics', key, otlpExport(`s${i}`)),
  );
  await whenParked(t.id, WORKER_MAX_OTLP_IN_FLIGHT);
  // The Node server's 64 before: 64 real 1 MiB exports were ~580 MiB in an isolate of 128 MB.
  expect(await call('POST', '/v1/metrics', key, otlpExport('one more'))).toMatchObject({
    status: 429,
    body: { error: { code: 'too_many_requests' } },
  });
  await reset(t.id);
  for (const w of waiting) expect((await w).status).toBe(503);
  expect(await call('POST', '/v1/metrics', key, otlpExport('one more'))).toMatchObject({ status: 200 });
});

it('a read the town object was reset under is a 503 too, over REST and tRPC', async () => {
  const t = await town('reset read');
  await park(t.id, 'throughput');
  const rest = call('GET', `/api/towns/${t.id}/metrics/throughput`, ADMIN);
  const trpc = call('GET', `/trpc/metrics.throughput?input=${encodeURIComponent(JSON.stringify({ townId: t.id }))}`, ADMIN);
  await whenParked(t.id, 2);
  await reset(t.id);
  expect(await rest).toMatchObject({ status: 503, retryAfter: '1', body: { error: { code: 'unavailable' } } });
  expect(await trpc).toMatchObject({ status: 503, retryAfter: '1', body: { error: { data: { code: 'SERVICE_UNAVAILABLE' } } } });
  expect((await call('GET', `/api/towns/${t.id}/metrics/throughput`, ADMIN)).status).toBe(200);
});

it('a credential check the control object was reset under is a 503, not a 500', async () => {
  const user = (await call('POST', '/trpc/users.create', ADMIN, { name: 'reset-user' })).body.result.data.token as string;
  const control = env.CONTROL.get(env.CONTROL.idFromName(CONTROL_NAME));
  // The user's token is new to this isolate's access cache: its check goes to the control object.
  await runInDurableObject(control, (o) => {
    const store = (o as unknown as { store: { userByTokenHash: () => Promise<never>; parked?: number } }).store;
    store.parked = 0;
    store.userByTokenHash = () => {
      store.parked = (store.parked ?? 0) + 1;
      // A timer, not a bare pending promise: workerd ends a request whose promise can never settle ("Promise will never complete").
      return new Promise<never>(() => setTimeout(() => {}, 60_000));
    };
  });
  const pending = call('GET', '/api/towns', user);
  for (;;) {
    const parked = await runInDurableObject(control, (o) => (o as unknown as { store: { parked?: number } }).store.parked ?? 0);
    if (parked >= 1) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  await runInDurableObject(control, (_o, state) => state.abort('reset by the test')).catch(() => {});
  expect(await pending).toMatchObject({ status: 503, retryAfter: '1', body: { error: { code: 'unavailable' } } });
  expect((await call('GET', '/api/towns', user)).status).toBe(200);
});

it('a live stream whose town object is reset ends as at its lifetime (the viewer opens another), not with an internal error', async () => {
  const t = await town('reset live');
  const res = await exports.default.fetch(
    `http://w.test/trpc/metrics.live?input=${encodeURIComponent(JSON.stringify({ townId: t.id }))}`,
    { headers: { authorization: `Bearer ${ADMIN}`, accept: 'text/event-stream' } },
  );
  expect(res.status).toBe(200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes('"tokensPerSecond"')) text += decoder.decode((await reader.read()).value);
  await reset(t.id);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
  }
  expect(text).toContain('event: return');
  expect(text).not.toContain('INTERNAL_SERVER_ERROR');
});
