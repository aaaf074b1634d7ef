import { runInDurableObject } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import type { TownHandle } from '@gasgauge/api';
import { bodyBudget, MAX_BODY_BYTES } from '@gasgauge/api';
import { expect, it } from 'vitest';
import { WORKER_MAX_BODY_BYTES_IN_FLIGHT, WORKER_MAX_BODY_BYTES_PER_TOWN } from '../app.js';
import type { TownDO } from '../town-do.js';
import { POOL_ADMIN as ADMIN } from './call.js';

async function trpc(proc: string, input: unknown) {
  const res = await exports.default.fetch(`http://w.test/trpc/${proc}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON response shapes
  return ((await res.json()) as any).result.data;
}

/** An ingest whose body sends `bytes` at once and then holds back its end until `finish` is called. */
function heldIngest(townId: string, token: string, bytes: number) {
  let finish = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new Uint8Array(bytes).fill(0x20));
      finish = () => {
        try {
          controller.close();
        } catch {
          // the Worker cancelled it (refused)
        }
      };
    },
  });
  const answer = exports.default
    .fetch(`http://w.test/api/towns/${townId}/usage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    })
    .then(async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), body: await r.json() }));
  return { answer, finish: () => finish() };
}

it(`holds at most ${WORKER_MAX_BODY_BYTES_IN_FLIGHT} bytes of request bodies still arriving in an isolate (a Worker has 128 MB in all), past it a 503 on body`, async () => {
  const town = await trpc('towns.create', { name: 'held bodies' });
  const { token } = await trpc('towns.mintIngestToken', { townId: town.id });
  // Whole bodies of 1 MiB up to the bound, each held short of its end (a slow client, or one that stalls on purpose).
  const held = Array.from({ length: WORKER_MAX_BODY_BYTES_IN_FLIGHT / MAX_BODY_BYTES }, () =>
    heldIngest(town.id, token, MAX_BODY_BYTES),
  );
  for (let i = 0; bodyBudget.inUse < WORKER_MAX_BODY_BYTES_IN_FLIGHT; i++) {
    if (i > 1000) throw new Error(`the held bodies took only ${bodyBudget.inUse} bytes`);
    await new Promise((r) => setTimeout(r, 10));
  }
  // One byte more is refused at once, as a load shed the client retries: before, an isolate took 128 MiB.
  const over = heldIngest(town.id, token, 1);
  over.finish();
  expect(await over.answer).toMatchObject({
    status: 503,
    retryAfter: '1',
    body: { error: { code: 'unavailable', path: 'body' } },
  });
  // The held bodies end (blank, so not JSON) and give their bytes back; the next ingest is taken.
  for (const h of held) h.finish();
  // 400, or a 503 while the town's share is held by those still being answered.
  for (const h of held) expect([400, 503]).toContain((await h.answer).status);
  expect(bodyBudget.inUse).toBe(0);
  const record = { id: 'after', agentId: 'a', model: 'm', inputTokens: 1, outputTokens: 1, costMicrodollars: 1, at: Date.now() };
  const ok = await exports.default.fetch(`http://w.test/api/towns/${town.id}/usage`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ records: [record] }),
  });
  expect(ok.status).toBe(200);
});

const townStub = (townId: string) => env.TOWN.get(env.TOWN.idFromName(townId));
const handleOf = (o: TownDO) => (o as unknown as { handle: TownHandle & { parked?: number } }).handle;

/** A valid usage body of exactly `bytes` bytes (records, then blanks, which JSON allows). */
function usageBody(tag: string, bytes: number, count = 4000): string {
  const at = Date.now();
  const records = Array.from({ length: count }, (_, i) => ({
    id: `${tag}-${i}`,
    agentId: `a${i % 50}`,
    model: 'm',
    inputTokens: 1,
    outputTokens: 1,
    costMicrodollars: 1,
    at,
  }));
  const json = JSON.stringify({ records });
  if (json.length > bytes) throw new Error(`the body is ${json.length} bytes already`);
  return json.padEnd(bytes, ' ');
}

async function ingestTown(name: string) {
  const town = await trpc('towns.create', { name });
  const { token } = await trpc('towns.mintIngestToken', { townId: town.id });
  const id = town.id as string;
  const post = (body: string) =>
    exports.default
      .fetch(`http://w.test/api/towns/${id}/usage`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      })
      .then(async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), body: await r.json() }));
  /** The town object takes the requests and does not answer them (a slow write, a busy object). */
  const park = () =>
    runInDurableObject(townStub(id), (o) => {
      const h = handleOf(o);
      h.parked = 0;
      h.ingest = () => {
        h.parked = (h.parked ?? 0) + 1;
        // A timer, not a bare pending promise: workerd ends a request whose promise can never settle ("Promise will never complete").
        return new Promise<never>(() => setTimeout(() => {}, 60_000));
      };
    });
  const parked = () => runInDurableObject(townStub(id), (o) => handleOf(o).parked ?? 0);
  const reset = () => runInDurableObject(townStub(id), (_o, state) => state.abort('reset by the test')).catch(() => {});
  return { id, post, park, parked, reset };
}

const refusedOnBody = { status: 503, retryAfter: '1', body: { error: { code: 'unavailable', path: 'body' } } };

type IngestTown = Awaited<ReturnType<typeof ingestTown>>;
type Answer = ReturnType<IngestTown['post']>;
let attempt = 0;

// Retried (after a cleanup that gives every byte back): under load, local workerd now and then ends one of the
// deliberately parked requests with "Promise will never complete" (a 500 to the Worker, which then gives its bytes
// back), seen 2 times in ~30 runs beside busy CPUs, never on an idle machine. Each attempt asserts the whole bound.
it(`counts a body read until it is answered: ${WORKER_MAX_BODY_BYTES_IN_FLIGHT} bytes of ingest waiting on town objects, and the next is a 503; one town holds at most ${WORKER_MAX_BODY_BYTES_PER_TOWN}`, {
  retry: 2,
}, async () => {
  attempt++;
  const towns = await Promise.all(['a', 'b', 'c', 'd'].map((n) => ingestTown(`bodies waiting ${n} ${attempt}`)));
  const other = await ingestTown(`bodies waiting e ${attempt}`);
  const waiting: Answer[][] = [];
  try {
    await fillAndDrain(towns, other, waiting);
  } finally {
    for (const t of towns) await t.reset();
    await Promise.allSettled(waiting.flat());
  }
});

/** The bound at its edge, then each town's share given back as its object restarts (`waiting`: the parked posts). */
async function fillAndDrain(towns: IngestTown[], other: IngestTown, waiting: Answer[][]) {
  for (const t of towns) await t.park();
  const perTown = WORKER_MAX_BODY_BYTES_PER_TOWN / MAX_BODY_BYTES;
  waiting.push(...towns.map((t) => Array.from({ length: perTown }, (_, i) => t.post(usageBody(`${t.id}-${i}`, MAX_BODY_BYTES)))));
  for (const t of towns) while ((await t.parked()) < perTown) await new Promise((r) => setTimeout(r, 20));
  // Each was read, parsed and sent, and still holds its bytes: before, the budget was free again once they had
  // arrived, and the isolate took any number more, each parsed and waiting.
  expect(bodyBudget.inUse).toBe(WORKER_MAX_BODY_BYTES_IN_FLIGHT);
  expect(await other.post(usageBody('full', 1000, 1))).toMatchObject(refusedOnBody);
  // Three objects restart (their waiting answers are 503s to retry) and give their bytes back.
  for (const t of towns.slice(1)) await t.reset();
  for (const w of waiting.slice(1).flat()) expect((await w).status).toBe(503);
  expect(bodyBudget.inUse).toBe(WORKER_MAX_BODY_BYTES_PER_TOWN);
  // The town still waiting holds its share, and no more; the others have the rest.
  const [slow] = towns as [(typeof towns)[number]];
  expect(await slow.post(usageBody('slow', 1000, 1))).toMatchObject(refusedOnBody);
  expect(await other.post(usageBody('other', 1000, 1))).toMatchObject({ status: 200, body: { accepted: 1 } });
  await slow.reset();
  for (const w of waiting[0] ?? []) expect((await w).status).toBe(503);
  expect(bodyBudget.inUse).toBe(0);
  expect(await slow.post(usageBody('after', 1000, 1))).toMatchObject({ status: 200, body: { accepted: 1 } });
}
