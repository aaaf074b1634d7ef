import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { UsageRecord } from '@gasgauge/core';
import { afterEach, expect, it } from 'vitest';
import { CONTROL_NAME } from '../control-do.js';
import { TownDO } from '../town-do.js';
import { doTowns } from '../towns.js';

const control = () => env.CONTROL.get(env.CONTROL.idFromName(CONTROL_NAME));
const record = (id: string): UsageRecord => ({
  id,
  agentId: 'a',
  model: 'm',
  inputTokens: 1,
  outputTokens: 1,
  reasoningTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  costMicrodollars: 5,
  at: Date.now(),
  mode: 'delta',
});

const publish = TownDO.prototype.publish;
afterEach(() => {
  TownDO.prototype.publish = publish;
});

/**
 * A debit moves the account's gas tank, which every town of the account shows: their live viewers are told. Each town's
 * tick had told each of the others itself, one Durable Object call each: N towns of an account spending at once made
 * N × (N − 1) calls a round of ticks (100 towns: 9,900 a tick interval, each waking an object that may have no
 * viewer). The control object, where every settle lands, tells them instead, once for the debits of a short while.
 */
it("the towns of an account that spends are each told about its gas tank, not once per other town's tick", async () => {
  const N = 8;
  const towns = Array.from({ length: N }, (_, i) => `fan${i}`);
  await runInDurableObject(control(), (o) => {
    o.control.createUser('usr_fan', 'fan');
    for (const t of towns) o.control.createTown(t, t, { userId: 'usr_fan' });
    o.control.ledger.grant('usr_fan', 1_000_000, Date.now());
  });
  const told = new Map<string, number>();
  TownDO.prototype.publish = function (this: TownDO) {
    const name = (this as unknown as { ctx: DurableObjectState }).ctx.id.name ?? '';
    told.set(name, (told.get(name) ?? 0) + 1);
    return publish.call(this);
  };
  const balance = () => runInDurableObject(control(), (o) => o.control.ledger.balance('usr_fan'));
  await Promise.all(
    towns.map((t) =>
      doTowns(env.TOWN)
        .get(t)
        .ingest({ kind: 'usage', records: [record(`${t}-r`)] }),
    ),
  );
  // Each town's alarm (100 ms after its ingest) settles its debit.
  const deadline = Date.now() + 20_000;
  while ((await balance()) !== 1_000_000 - 5 * N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(await balance()).toBe(1_000_000 - 5 * N);
  const heard = Date.now() + 10_000;
  while (towns.some((t) => !told.has(t)) && Date.now() < heard) await new Promise((r) => setTimeout(r, 50));
  // Every town heard that the tank moved...
  for (const t of towns) expect(told.get(t) ?? 0).toBeGreaterThanOrEqual(1);
  // ...not once per other town that spent: a few, however many towns the account has.
  const calls = [...told.values()].reduce((a, b) => a + b, 0);
  expect(calls).toBeLessThanOrEqual(3 * N);
});
