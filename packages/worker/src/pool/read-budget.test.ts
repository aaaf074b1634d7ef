import { DEFAULT_READ_BUDGET_BURST_MS, DEFAULT_READ_BUDGET_MS_PER_S } from '@gasgauge/api';
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
