import { runInDurableObject } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { hashToken } from '@gasgauge/api';
import { expect, it } from 'vitest';
import { CONTROL_NAME } from '../control-do.js';

const PAGE = 100;

async function list(token: string, input: { after?: string }) {
  const res = await exports.default.fetch(`http://w.test/trpc/towns.list?input=${encodeURIComponent(JSON.stringify(input))}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { result: { data: { id: string; tick: unknown }[] } }).result.data;
}

it('towns.list answers a page of 100 towns (one town object call each), the rest with after', async () => {
  const token = 'ggu_towns-list-pool-user';
  const ids = Array.from({ length: PAGE + 1 }, (_, i) => `town_pool_list_${String(i).padStart(3, '0')}`);
  // 50 of the user's own and 51 of their organisation's: within each owner's quota of 100.
  await runInDurableObject(env.CONTROL.get(env.CONTROL.idFromName(CONTROL_NAME)), async (o) => {
    const user = o.control.createUser('usr_pool_list', 'pool lister');
    o.control.addToken(user.id, await hashToken(token), 'test');
    const org = o.control.orgs.create('org_pool_list', 'pool org', user.id);
    for (const [i, id] of ids.entries()) o.control.createTown(id, id, i < 50 ? { userId: user.id } : { orgId: org.id });
  });
  const first = await list(token, {});
  expect(first).toHaveLength(PAGE);
  expect(first.every((t) => t.tick !== null && typeof t.tick === 'object')).toBe(true);
  const rest = await list(token, { after: first.at(-1)?.id as string });
  expect([...first, ...rest].map((t) => t.id).sort()).toEqual(ids);
});
