import { DANGEROUS_NAMES } from '@gasgauge/server/testing';
import { type HttpResult, startTestServer, type TestServer, trpcPath } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * Issue 9: an agent (or model, bead, note, role, provider) named `__proto__` or `constructor` once
 * made the breakdown write into Object.prototype, and every route of the process failed after it.
 * Every dangerous name goes in through the real ingest API and must come back intact through every
 * read, over real HTTP against a real server, and the server must still answer everything after.
 */

let s: TestServer;
const NAMES = [...DANGEROUS_NAMES];
let now: number;
let tokens: number[];

const ok = (r: HttpResult) => {
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
};
const trpc = async (proc: string, input?: unknown) => ok(await s.get(trpcPath(proc, input))).result.data;

beforeAll(async () => {
  s = await startTestServer({ autoTick: false });
  now = Date.now();
  tokens = NAMES.map((_, i) => 10 * (i + 1));
  const records = NAMES.map((name, i) => ({
    id: name,
    agentId: name,
    model: name,
    provider: name,
    inputTokens: tokens[i],
    outputTokens: 0,
    costMicrodollars: (i + 1) * 100,
    at: now - 2000,
  }));
  ok(await s.post(`/api/towns/${s.townId}/usage`, { records }));
  const events = NAMES.flatMap((name) => [
    { id: name, at: now - 3000, type: 'agent', agentId: name, role: name, status: 'working', beadId: name },
    {
      id: `bead:${name}`,
      at: now - 2500,
      type: 'bead',
      beadId: name,
      status: 'in_progress',
      kind: name,
      title: name,
      assigneeAgentId: name,
    },
    // The note's data is a reporter's JSON: its keys are data too.
    {
      id: `note:${name}`,
      at: now - 2400,
      type: 'note',
      name,
      data: JSON.parse(`{"${name}": {"${name}": 1}, "from": "${name}"}`),
    },
  ]);
  // As text: JSON.stringify of an object with an own __proto__ key keeps it, but say so plainly.
  ok(await s.post(`/api/towns/${s.townId}/events`, JSON.stringify({ events })));
  ok(await s.post(`/api/towns/${s.townId}/loc`, { agents: NAMES.map((agentId) => ({ agentId, additions: 1, deletions: 0 })) }));
  await s.tickTown(s.townId);
});

afterAll(async () => {
  await s?.close();
});

const range = () => ({ townId: s.townId, from: now - 600_000, to: now + 60_000 });
const sum = (values: (number | null)[]) => values.reduce<number>((a, v) => a + (v ?? 0), 0);

describe('names that are properties of every plain object', () => {
  it('come back intact from the breakdown, by agent and by model, tokens and cost', async () => {
    // Largest total first: the last name used the most.
    const order = [...NAMES].reverse();
    for (const by of ['agent', 'model']) {
      const t = await trpc('metrics.breakdown', { ...range(), by, metric: 'tokens' });
      expect(t.series.map((x: { key: string }) => x.key)).toEqual(order);
      expect(t.series.map((x: { values: (number | null)[] }) => sum(x.values))).toEqual([...tokens].reverse());
      expect(t.other).toBeNull();
      const c = await trpc('metrics.breakdown', { ...range(), by, metric: 'cost' });
      expect(c.series.map((x: { key: string; values: (number | null)[] }) => [x.key, sum(x.values)])).toEqual(
        order.map((name) => [name, (NAMES.indexOf(name) + 1) * 100]),
      );
    }
  });

  it('come back intact from agents and events, and count in the timeseries and throughput', async () => {
    const { agents } = await trpc('metrics.agents', { townId: s.townId });
    expect(agents.map((a: { id: string }) => a.id).sort()).toEqual([...NAMES].sort());
    for (const a of agents)
      expect([a.role, a.beadId, a.status, a.tokensLastHour]).toEqual([a.id, a.id, 'working', tokens[NAMES.indexOf(a.id)]]);

    const { events } = await trpc('metrics.events', { townId: s.townId, limit: 50 });
    expect(events).toHaveLength(3 * NAMES.length);
    for (const name of NAMES) {
      const byId = (id: string) => events.find((e: { id: string }) => e.id === id);
      expect(byId(name)).toMatchObject({ type: 'agent', agentId: name, beadId: name, status: 'working', body: { role: name } });
      expect(byId(`bead:${name}`)).toMatchObject({ beadId: name, agentId: name, body: { kind: name, title: name } });
      // Stored and returned exactly as sent, keys and all.
      expect(JSON.stringify(byId(`note:${name}`)?.body)).toBe(
        `{"id":"note:${name}","at":${now - 2400},"type":"note","name":"${name}","data":{"${name}":{"${name}":1},"from":"${name}"}}`,
      );
    }

    const total = tokens.reduce((a, b) => a + b, 0);
    const q = range();
    const rest = ok(await s.get(`/api/towns/${s.townId}/metrics/timeseries?from=${q.from}&to=${q.to}&maxPoints=20`));
    expect(sum(rest.series.input_tokens)).toBe(total);
    expect(sum(rest.series.events)).toBe(3 * NAMES.length);
    expect(sum((await trpc('metrics.timeseries', { ...q, maxPoints: 20 })).series.input_tokens)).toBe(total);
    const tp = ok(await s.get(`/api/towns/${s.townId}/metrics/throughput`));
    expect([tp.agentsTotal, tp.agentsActive, tp.locAdditions]).toEqual([NAMES.length, NAMES.length, NAMES.length]);
    expect((await trpc('metrics.throughput', { townId: s.townId })).agentsTotal).toBe(NAMES.length);
  });

  it('leave Object.prototype untouched and every route answering', async () => {
    // The server runs in this process: a polluted prototype would show here.
    expect(Object.getOwnPropertyNames(Object.prototype).filter((k) => /^\d+$/.test(k))).toEqual([]);
    expect(Object.keys(Object.prototype)).toEqual([]);
    // Users, towns and organisations may carry these names too (those a name may start with).
    const named = NAMES.filter((n) => /^[A-Za-z0-9]/.test(n));
    const orgs: string[] = [];
    for (const name of named) {
      ok(await s.post('/trpc/towns.create', { name }, s.adminToken));
      orgs.push(ok(await s.post('/trpc/orgs.create', { name }, s.adminToken)).result.data.id);
      const user = await s.addUser(name);
      ok(await s.post('/trpc/orgs.setMember', { organizationId: orgs[0], userName: name, role: 'member' }, s.adminToken));
      ok(await s.post('/trpc/orgs.acceptInvitation', { organizationId: orgs[0] }, user.token));
    }
    const members = await trpc('orgs.members', { organizationId: orgs[0] });
    expect(members.members.map((m: { userName: string }) => m.userName).sort()).toEqual(['admin', ...named].sort());
    const gets = [
      '/api/health',
      '/api/towns',
      '/api/balance',
      `/api/towns/${s.townId}/metrics/throughput`,
      `/api/towns/${s.townId}/metrics/timeseries?from=${now - 60_000}&to=${now}`,
      trpcPath('towns.list'),
      trpcPath('orgs.list'),
      trpcPath('billing.balance', {}),
      trpcPath('billing.ledger', { limit: 5 }),
      trpcPath('billing.alerts', {}),
      trpcPath('metrics.throughput', { townId: s.townId }),
      trpcPath('metrics.agents', { townId: s.townId }),
      trpcPath('metrics.events', { townId: s.townId }),
      trpcPath('metrics.breakdown', { ...range(), by: 'agent', metric: 'tokens', limit: 2 }),
    ];
    for (const path of gets) {
      const r = await s.get(path);
      expect([path, r.status, JSON.stringify(r.body).includes('Unrecognized key')]).toEqual([path, 200, false]);
    }
    expect((await trpc('towns.list')).map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(named));
    expect((await trpc('orgs.list')).map((o: { name: string }) => o.name).sort()).toEqual([...named].sort());
    // A strict input still refuses exactly the keys it does not know.
    const bad = await s.get(trpcPath('metrics.throughput', { townId: s.townId, constructor: 1 }));
    expect(bad.status).toBe(400);
  });
});
