import { DEFAULT_READ_BUDGET_BURST_MS, DEFAULT_READ_BUDGET_MS_PER_S, MAX_TOWN_CALLS_UNDER_WAY } from '@gasgauge/api';
import { expect, it } from 'vitest';
import { POOL_ADMIN as ADMIN, call } from './call.js';

const read = (token: string, townId: string) =>
  call('GET', `/trpc/metrics.throughput?input=${encodeURIComponent(JSON.stringify({ townId }))}`, token);

it(`a user who keeps a town's object busy with reads is refused once their share is spent (${DEFAULT_READ_BUDGET_MS_PER_S} ms a second, ${DEFAULT_READ_BUDGET_BURST_MS} ms at once); another user reads at once`, async () => {
  const townId = (await call('POST', '/trpc/towns.create', ADMIN, { name: 'read budget town' })).body.result.data.id as string;
  const other = (await call('POST', '/trpc/users.create', ADMIN, { name: 'read-budget-other' })).body.result.data.token as string;
  const othersTown = (await call('POST', '/trpc/towns.create', other, { name: 'others town' })).body.result.data.id as string;

  // Eight loops of back-to-back reads: one of them is always waiting on the town's object, so the admin is
  // charged the whole time (not eight times it), and the bucket empties after about burst ÷ (1 − rate) = 4 s.
  const started = performance.now();
  let refused: Awaited<ReturnType<typeof read>> | undefined;
  const loop = async () => {
    while (!refused && performance.now() - started < 20_000) {
      const answer = await read(ADMIN, townId);
      if (answer.status === 429) refused = answer;
      else expect(answer.status).toBe(200);
    }
  };
  await Promise.all(Array.from({ length: 8 }, loop));
  const spentAfter = performance.now() - started;

  expect(refused?.body.error.message).toMatch(/read budget spent/);
  expect(Number(refused?.retryAfter)).toBeGreaterThanOrEqual(1);
  expect(refused?.body.error.data.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  // Not before the burst was spent: charged once for the time any read was under way, not each its own wait.
  expect(spentAfter).toBeGreaterThanOrEqual(DEFAULT_READ_BUDGET_BURST_MS);
  // The budget is the principal's, not the isolate's.
  expect((await read(other, othersTown)).status).toBe(200);
}, 60_000);

it(`a user's reads sent all at once (all admitted from a full bucket) reach the town's object ${MAX_TOWN_CALLS_UNDER_WAY} at a time at most: the rest are refused at once, not queued there`, async () => {
  // A user of its own: the admin's bucket is the one the test above spent.
  const greedy = (await call('POST', '/trpc/users.create', ADMIN, { name: 'burst-greedy' })).body.result.data.token as string;
  const townId = (await call('POST', '/trpc/towns.create', greedy, { name: 'burst town' })).body.result.data.id as string;
  const other = (await call('POST', '/trpc/users.create', ADMIN, { name: 'burst-other' })).body.result.data.token as string;
  const othersTown = (await call('POST', '/trpc/towns.create', other, { name: 'burst town 2' })).body.result.data.id as string;
  const batch = `/trpc/${Array.from({ length: 10 }, () => 'metrics.throughput').join(',')}?batch=1&input=${encodeURIComponent(
    JSON.stringify(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [i, { townId }]))),
  )}`;
  // 400 reads: before the cap, every one was admitted and queued in the object (4,000 held a town's ingest 22 s).
  const answers = await Promise.all(Array.from({ length: 40 }, () => call('GET', batch, greedy)));
  // biome-ignore lint/suspicious/noExplicitAny: a tRPC batch's answers
  const calls = answers.flatMap((a) => a.body as any[]);
  const refused = calls.filter((c) => c.error !== undefined);
  expect(refused.length).toBeGreaterThan(0);
  for (const c of refused) {
    expect(c.error.message).toMatch(/under way/);
    expect(c.error.data).toMatchObject({ httpStatus: 429, retryAfterSeconds: 1 });
  }
  expect(calls.length - refused.length).toBeGreaterThanOrEqual(MAX_TOWN_CALLS_UNDER_WAY);
  // Per principal: another user reads at once, and so does this one once its calls are answered: never refused as
  // still under way. Their time under way is charged, and on a busy machine (load 15) it spent the bucket: then the
  // read after its Retry-After.
  expect((await read(other, othersTown)).status).toBe(200);
  let again = await read(greedy, townId);
  if (again.status === 429 && /read budget spent/.test(again.body.error.message)) {
    await new Promise((r) => setTimeout(r, Number(again.retryAfter) * 1000 + 100));
    again = await read(greedy, townId);
  }
  expect(again.status, JSON.stringify(again.body)).toBe(200);
}, 60_000);
