import { runInDurableObject } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { hashToken } from '@gasgauge/api';
import { expect, it } from 'vitest';
import { CONTROL_NAME } from '../control-do.js';

interface Page {
  members: { userName: string }[];
  nextCursor: string | null;
}

async function members(token: string, input: object): Promise<{ status: number; page?: Page }> {
  const res = await exports.default.fetch(`http://w.test/trpc/orgs.members?input=${encodeURIComponent(JSON.stringify(input))}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (res.status !== 200) return { status: res.status };
  return { status: 200, page: ((await res.json()) as { result: { data: Page } }).result.data };
}

it('orgs.members pages the control object’s members by name: 100 by default, 500 at most', async () => {
  const token = 'ggu_org-members-pool-user';
  const organizationId = 'org_pool_members';
  await runInDurableObject(env.CONTROL.get(env.CONTROL.idFromName(CONTROL_NAME)), async (o) => {
    const owner = o.control.createUser('usr_pool_members', 'a members owner');
    o.control.addToken(owner.id, await hashToken(token), 'test');
    o.control.orgs.create(organizationId, 'pool members', owner.id);
    o.control.sql.transaction(() => {
      for (let i = 0; i < 150; i++) {
        const user = o.control.createUser(`usr_pool_m${i}`, `pm${String(i).padStart(3, '0')}`);
        o.control.orgs.setMember(organizationId, user.id, 'member');
      }
    });
  });
  const first = (await members(token, { organizationId })).page as Page;
  expect(first.members).toHaveLength(100);
  expect(first.members[0]?.userName).toBe('a members owner');
  expect(first.nextCursor).toBe('pm098');
  const rest = (await members(token, { organizationId, limit: 500, after: first.nextCursor })).page as Page;
  expect(rest.members.map((m) => m.userName)).toEqual(
    Array.from({ length: 51 }, (_, i) => `pm${String(i + 99).padStart(3, '0')}`),
  );
  expect(rest.nextCursor).toBeNull();
  expect((await members(token, { organizationId, limit: 501 })).status).toBe(400);
});
