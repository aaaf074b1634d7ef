import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, expect, it, vi } from 'vitest';
import { CONTROL_NAME } from '../control-do.js';
import { POOL_ADMIN as ADMIN, call } from './call.js';

const post = (path: string, token: string, body: unknown) => call('POST', path, token, body);
/** KEY_CACHE_TTL_MS of the api (docs/api.md, Ingest keys). */
const TTL_MS = 30_000;

let seq = 0;
const usage = (townId: string, key: string) =>
  post(`/api/towns/${townId}/usage`, key, {
    records: [
      { id: `k${seq++}`, agentId: 'a', model: 'm', inputTokens: 1, outputTokens: 1, costMicrodollars: 1, at: Date.now() },
    ],
  });

afterEach(() => {
  vi.restoreAllMocks();
});

it('a verified ingest key is remembered by the isolate: a revoke in the control object alone holds within 30 s, one through the API at once', async () => {
  const townId = (await post('/trpc/towns.create', ADMIN, { name: 'key town' })).body.result.data.id as string;
  const createKey = async (name: string) =>
    (await post('/trpc/towns.createKey', ADMIN, { townId, name })).body.result.data.key as string;
  const beside = await createKey('beside');
  expect((await usage(townId, beside)).status).toBe(200);
  // Revoked in the control object only, as another isolate's revoke would be: this isolate is not told.
  await runInDurableObject(env.CONTROL.get(env.CONTROL.idFromName(CONTROL_NAME)), (o) =>
    o.control.ingestKeys.revoke(townId, 'beside'),
  );
  expect((await usage(townId, beside)).status).toBe(200);
  const later = Date.now() + TTL_MS;
  vi.spyOn(Date, 'now').mockImplementation(() => later);
  expect((await usage(townId, beside)).status).toBe(401);
  vi.restoreAllMocks();

  const here = await createKey('here');
  expect((await usage(townId, here)).status).toBe(200);
  expect((await post('/trpc/towns.revokeKey', ADMIN, { townId, name: 'here' })).status).toBe(200);
  const refused = await usage(townId, here);
  expect(refused.status).toBe(401);
  expect(refused.body.error.message).toMatch(/revoked/);
});
