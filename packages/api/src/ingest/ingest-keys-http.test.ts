import { type HttpResult, startTestServer, type TestServer, trpcPath } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Long-lived ingest keys (`ggi_…`): the same 401/403 rules as ingest JWTs, on every ingest route, never on reads. */
let s: TestServer;
let other: string;
beforeAll(async () => {
  s = await startTestServer({ autoTick: false });
  other = await s.createTown('other town');
});
afterAll(async () => {
  await s?.close();
});

const ok = (r: HttpResult) => {
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.result?.data ?? r.body;
};
const createKey = async (townId: string, name: string, agentId?: string) =>
  ok(await s.post('/trpc/towns.createKey', { townId, name, ...(agentId ? { agentId } : {}) }, s.adminToken)) as {
    key: string;
    name: string;
  };
const listKeys = async (townId: string) => ok(await s.get(trpcPath('towns.listKeys', { townId }))) as Record<string, unknown>[];
const record = (id: string, agentId = 'a1') => ({
  id,
  agentId,
  model: 'm',
  inputTokens: 1,
  outputTokens: 2,
  costMicrodollars: 3,
  at: Date.now(),
});
const usage = (townId: string, key: string | null, id: string, agentId?: string) =>
  s.post(`/api/towns/${townId}/usage`, { records: [record(id, agentId)] }, key);

describe('ingest keys', () => {
  it('a created key is shown once, listed without its secret, and writes usage, loc and events', async () => {
    const created = await createKey(s.townId, 'exporter');
    expect(created.key).toMatch(/^ggi_[A-Za-z0-9_-]{64}$/); // 32 random bytes and the server's 16-byte tag
    const listed = await listKeys(s.townId);
    expect(listed).toEqual([
      { townId: s.townId, name: 'exporter', kind: 'ingest', agentId: null, createdAt: expect.any(Number), lastUsedAt: null },
    ]);
    expect(JSON.stringify(listed)).not.toContain(created.key);
    expect((await usage(s.townId, created.key, 'k1')).status).toBe(200);
    const loc = await s.post(
      `/api/towns/${s.townId}/loc`,
      { agents: [{ agentId: 'a1', additions: 1, deletions: 0 }] },
      created.key,
    );
    expect(loc.status, JSON.stringify(loc.body)).toBe(200);
    const events = await s.post(
      `/api/towns/${s.townId}/events`,
      { events: [{ id: 'e1', type: 'agent', agentId: 'a1', status: 'working', at: Date.now() }] },
      created.key,
    );
    expect(events.status, JSON.stringify(events.body)).toBe(200);
    const [used] = await listKeys(s.townId);
    expect(used?.lastUsedAt).toEqual(expect.any(Number));
  });

  it("403 on another town's route, 401 on reads", async () => {
    const { key } = await createKey(s.townId, 'reads');
    const r = await usage(other, key, 'k2');
    expect(r.status).toBe(403);
    expect(r.body.error.path).toBe('townId');
    expect((await s.get(`/api/towns/${s.townId}/metrics/throughput`, key)).status).toBe(401);
    expect((await s.get(trpcPath('towns.list'), key)).status).toBe(401);
  });

  it('an agent key writes only its agent, like an agent JWT', async () => {
    const { key } = await createKey(s.townId, 'agent key', 'a7');
    expect((await usage(s.townId, key, 'k3', 'a7')).status).toBe(200);
    const r = await usage(s.townId, key, 'k4', 'a8');
    expect(r.status).toBe(403);
    expect(r.body.error.path).toBe('records[0].agentId');
    const note = await s.post(
      `/api/towns/${s.townId}/events`,
      { events: [{ id: 'e2', type: 'note', name: 'n', data: {}, at: Date.now() }] },
      key,
    );
    expect(note.status).toBe(403);
  });

  it('a revoked key gets 401 at once; an unknown ggi_ key gets 401', async () => {
    const { key } = await createKey(s.townId, 'short lived');
    expect((await usage(s.townId, key, 'k5')).status).toBe(200);
    ok(await s.post('/trpc/towns.revokeKey', { townId: s.townId, name: 'short lived' }, s.adminToken));
    const r = await usage(s.townId, key, 'k6');
    expect(r.status).toBe(401);
    expect(r.body.error.message).toMatch(/revoked/);
    expect((await usage(s.townId, `ggi_${'x'.repeat(43)}`, 'k7')).status).toBe(401);
    expect((await s.post('/trpc/towns.revokeKey', { townId: s.townId, name: 'short lived' }, s.adminToken)).status).toBe(404);
  });

  it('names are unique per town and checked; only those who manage the town touch its keys', async () => {
    await createKey(other, 'dup');
    const dup = await s.post('/trpc/towns.createKey', { townId: other, name: 'dup' }, s.adminToken);
    expect(dup.status).toBe(409);
    const bad = await s.post('/trpc/towns.createKey', { townId: other, name: '../x' }, s.adminToken);
    expect(bad.status).toBe(400);
    const bob = await s.addUser('bob');
    expect((await s.post('/trpc/towns.createKey', { townId: other, name: 'b' }, bob.token)).status).toBe(404);
    expect((await s.get(trpcPath('towns.listKeys', { townId: other }), bob.token)).status).toBe(404);
    expect((await s.post('/trpc/towns.revokeKey', { townId: other, name: 'dup' }, bob.token)).status).toBe(404);
  });
});
