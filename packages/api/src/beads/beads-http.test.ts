import { startTestServer, type TestServer, trpcPath } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let s: TestServer;
const now = Date.now();
const at = (minutesAgo: number) => now - minutesAgo * 60_000;

beforeAll(async () => {
  s = await startTestServer();
  const events = [
    { id: 'e1', at: at(50), type: 'bead', beadId: 'gt-1', status: 'open', title: 'Fix the login', parentId: 'gt-epic' },
    { id: 'e2', at: at(45), type: 'bead', beadId: 'gt-1', status: 'in_progress' },
    { id: 'e3', at: at(45), type: 'agent', agentId: 'polecat-1', status: 'working', beadId: 'gt-1' },
    { id: 'e4', at: at(30), type: 'bead', beadId: 'gt-1', status: 'closed' },
    { id: 'e5', at: at(30), type: 'agent', agentId: 'polecat-1', status: 'working', beadId: 'gt-2' },
    { id: 'e6', at: at(20), type: 'agent', agentId: 'polecat-1', status: 'idle' },
    { id: 'e7', at: at(55), type: 'bead', beadId: 'gt-epic', status: 'open', title: 'Epic' },
  ];
  expect((await s.post(`/api/towns/${s.townId}/events`, { events })).status).toBe(200);
  const usage = (id: string, minutesAgo: number, cost: number, extra: object = {}) => ({
    id,
    agentId: 'polecat-1',
    model: 'claude-sonnet-4-5',
    inputTokens: cost,
    outputTokens: 1,
    costMicrodollars: cost,
    at: at(minutesAgo),
    ...extra,
  });
  const records = [
    usage('u1', 40, 1000), // gt-1
    usage('u2', 35, 2000), // gt-1
    usage('u3', 25, 500), // gt-2
    usage('u4', 10, 70), // idle: no bead
    usage('u5', 10, 9000, { beadId: 'gt-9' }), // named
  ];
  expect((await s.post(`/api/towns/${s.townId}/usage`, { records })).status).toBe(200);
});
afterAll(async () => {
  await s?.close();
});

const trpc = async (proc: string, input: unknown, token = s.adminToken) => {
  const r = await fetch(s.url + trpcPath(proc, input), { headers: { authorization: `Bearer ${token}` } });
  const body = await r.json();
  return { status: r.status, data: body.result?.data, error: body.error };
};

describe('beads API', () => {
  it('lists beads most expensive first, with the no-bead spend in the stats adding up to the total', async () => {
    const r = await trpc('beads.list', { townId: s.townId });
    expect(r.status).toBe(200);
    expect(r.data.items.map((b: { beadId: string; costMicrodollars: number }) => [b.beadId, b.costMicrodollars])).toEqual([
      ['gt-9', 9000],
      ['gt-1', 3000],
      ['gt-2', 500],
      ['gt-epic', 0],
    ]);
    const gt1 = r.data.items[1];
    expect(gt1).toMatchObject({
      title: 'Fix the login',
      status: 'closed',
      parentId: 'gt-epic',
      agents: ['polecat-1'],
      attempts: 1,
    });
    expect(gt1.durationMs).toBe(20 * 60_000);
    const stats = await trpc('beads.stats', { townId: s.townId });
    expect(stats.data).toMatchObject({
      closedBeads: 1,
      costPerClosedBead: { median: 3000, p90: 3000 },
      noBeadCostMicrodollars: 70,
      totalCostMicrodollars: 12_570,
    });
  });

  it('pages with a cursor and sorts by closedAt', async () => {
    const first = await trpc('beads.list', { townId: s.townId, limit: 2 });
    const second = await trpc('beads.list', { townId: s.townId, limit: 2, cursor: first.data.nextCursor });
    expect([...first.data.items, ...second.data.items].map((b: { beadId: string }) => b.beadId)).toEqual([
      'gt-9',
      'gt-1',
      'gt-2',
      'gt-epic',
    ]);
    expect(second.data.nextCursor).toBeNull();
    const closed = await trpc('beads.list', { townId: s.townId, sort: 'closedAt', status: 'closed' });
    expect(closed.data.items.map((b: { beadId: string }) => b.beadId)).toEqual(['gt-1']);
  });

  it('gets one bead with its timeline, status times, cost over time and the roll-up to its parent', async () => {
    const r = await trpc('beads.get', { townId: s.townId, beadId: 'gt-1' });
    expect(r.status).toBe(200);
    expect(r.data.statusTime).toEqual({ open: 5 * 60_000, in_progress: 15 * 60_000, in_review: 0, blocked: 0 });
    expect(r.data.timeline.map((e: { kind: string; status?: string; agentId?: string }) => e.status ?? e.agentId)).toEqual([
      'open',
      'in_progress',
      'polecat-1',
      'closed',
    ]);
    expect(r.data.cost.cost.reduce((a: number, b: number) => a + b, 0)).toBe(3000);
    expect(r.data.cost.t.length).toBe(r.data.cost.cost.length);
    const epic = await trpc('beads.get', { townId: s.townId, beadId: 'gt-epic' });
    expect(epic.data.children.map((b: { beadId: string }) => b.beadId)).toEqual(['gt-1']);
    expect(epic.data.rollup).toMatchObject({ costMicrodollars: 3000, beads: 2, truncated: false });
  });

  it('answers the same over REST', async () => {
    const list = await s.get(`/api/towns/${s.townId}/beads?sort=cost&limit=1`);
    expect(list.status).toBe(200);
    expect(list.body.items[0].beadId).toBe('gt-9');
    expect((await s.get(`/api/towns/${s.townId}/beads/gt-2`)).body.bead.costMicrodollars).toBe(500);
    expect((await s.get(`/api/towns/${s.townId}/beads-stats?from=0&to=${now + 1}`)).body.noBeadCostMicrodollars).toBe(70);
  });

  it('refuses what it cannot answer: 404 for an unknown bead or a town the caller may not see, 400 naming the field', async () => {
    expect((await trpc('beads.get', { townId: s.townId, beadId: 'nope' })).status).toBe(404);
    const other = await s.addUser('mallory');
    expect((await trpc('beads.list', { townId: s.townId }, other.token)).status).toBe(404);
    expect((await s.get(`/api/towns/${s.townId}/beads-stats`, other.token)).status).toBe(404);
    const bad = await s.get(`/api/towns/${s.townId}/beads?sort=price`);
    expect([bad.status, bad.body.error.path]).toEqual([400, 'sort']);
    const cursor = await s.get(`/api/towns/${s.townId}/beads?cursor=x`);
    expect([cursor.status, cursor.body.error.path]).toEqual([400, 'cursor']);
    const range = await s.get(`/api/towns/${s.townId}/beads?from=10&to=5`);
    expect([range.status, range.body.error.path]).toEqual([400, 'to']);
  });
});
