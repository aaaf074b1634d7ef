import { utcOffset } from '@gasgauge/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { procedureKinds } from '../../../api/src/router.js';
import type { HttpResult } from '../../../server/src/testing/server.js';
import { client, eventually, rec } from '../testing/client.js';
import { HOSTS, type Host } from '../testing/hosts.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The day budget's zone: of three zones 6 to 11 hours apart, the one where it is nearest noon now, so
 * its midnight is 6 hours away or more. clock-free: the Worker host runs on the wall clock (it takes no
 * chosen clock), and a budget day that ended between the two hosts' reads would differ between them.
 */
const BUDGET_TZ = (() => {
  const now = Date.now();
  const fromNoon = (tz: string) => Math.abs(((((now + utcOffset(now, tz)) % (24 * HOUR)) + 24 * HOUR) % (24 * HOUR)) - 12 * HOUR);
  return ['Europe/Paris', 'America/New_York', 'Asia/Tokyo'].reduce((a, b) => (fromNoon(b) < fromNoon(a) ? b : a));
})();

/**
 * Reads not compared here, each with why. Every other query of the tRPC router must be read below, so
 * a procedure added later is compared on both hosts or named here (the guard test says which).
 */
const NOT_COMPARED = new Map([
  ['metrics.live', 'a subscription (SSE): its pushes are throughput answers, compared here as metrics.throughput'],
]);

/**
 * One scenario, run on both hosts at once, then every read of the API asked on each: the answers must be
 * equal once the ids each host made, and the moments it did things, are named instead of given. The
 * other contract tests check chosen answers; this one checks that nothing a user can read differs.
 */
describe('the same scenario reads the same on every host', () => {
  const hosts: { name: string; h: Host; c: ReturnType<typeof client> }[] = [];
  /** Event times: whole minutes well before now, so a host that ran a few seconds later sees the same past. */
  const base = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
  const answers = new Map<string, Map<string, unknown>>();

  beforeAll(async () => {
    for (const [name, start] of HOSTS) {
      const h = await start();
      hosts.push({ name, h, c: client(h) });
    }
    await Promise.all(hosts.map(async ({ name, c }) => answers.set(name, await scenario(c, base))));
  }, 180_000);
  afterAll(() => Promise.all(hosts.map(({ h }) => h.close())));

  it('answers every read alike', () => {
    const [node, worker] = [answers.get('node'), answers.get('worker')];
    expect(node && worker).toBeTruthy();
    for (const [what, answer] of node ?? []) expect(worker?.get(what), what).toEqual(answer);
    expect([...(worker?.keys() ?? [])].sort()).toEqual([...(node?.keys() ?? [])].sort());
  });

  it('reads every query of the router, or names why not', () => {
    const queries = procedureKinds()
      .filter(([, kind]) => kind !== 'mutation')
      .map(([name]) => name);
    const read = new Set([...(answers.get('node')?.keys() ?? [])].map((k) => k.split(' ')[0]));
    const missing = queries.filter((q) => !read.has(q) && !NOT_COMPARED.has(q));
    expect(missing).toEqual([]);
  });
});

/** A tRPC answer's data, after checking it is a 200. */
function data(r: HttpResult, what: string): unknown {
  if (r.status !== 200) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.result.data;
}

async function scenario(c: ReturnType<typeof client>, base: number): Promise<Map<string, unknown>> {
  const alice = await c.user('alice');
  const bob = await c.user('bob');
  const org = data(await c.mutate('orgs.create', { name: 'acme' }, alice.token), 'orgs.create') as { id: string };
  data(await c.mutate('orgs.setMember', { organizationId: org.id, userName: 'bob', role: 'member' }, alice.token), 'setMember');
  data(await c.mutate('orgs.acceptInvitation', { organizationId: org.id }, bob.token), 'accept');
  const town = data(await c.mutate('towns.create', { name: 'same', organizationId: org.id }, alice.token), 'towns.create') as {
    id: string;
  };
  const ingest = (
    data(await c.mutate('towns.mintIngestToken', { townId: town.id }, alice.token), 'mintIngestToken') as { token: string }
  ).token;
  const own = await c.town('alice own', alice.token);
  data(await c.mutate('billing.grant', { userName: 'alice', amountMicrodollars: 50_000_000, note: 'start' }), 'grant');
  data(await c.mutate('billing.grant', { organizationId: org.id, amountMicrodollars: 20_000_000 }), 'grant org');
  data(
    await c.mutate('towns.setBudget', { townId: town.id, period: 'day', capMicrodollars: 9_000_000, tz: BUDGET_TZ }, alice.token),
    'setBudget',
  );
  data(
    await c.mutate(
      'towns.setRunawayRules',
      {
        townId: town.id,
        spendRate: { enabled: true, microdollars: 100_000, windowMinutes: 10 },
        noProgress: { enabled: true, minutes: 30, minMicrodollars: 50_000 },
        beadBudgetMicrodollars: 200_000,
      },
      alice.token,
    ),
    'setRunawayRules',
  );
  data(await c.mutate('towns.createKey', { townId: town.id, name: 'exporter' }, alice.token), 'createKey');
  data(
    await c.mutate('billing.setAlertSettings', { organizationId: org.id, lowBalanceMicrodollars: 3_000_000 }, alice.token),
    'alerts',
  );

  const events = [
    { id: 'e1', at: base, type: 'agent', agentId: 'polecat-1', role: 'polecat', status: 'working', beadId: 'gt-1' },
    { id: 'e2', at: base + 1000, type: 'bead', beadId: 'gt-1', status: 'in_progress', title: 'Fix the flaky test' },
    { id: 'e3', at: base + 30 * MINUTE, type: 'bead', beadId: 'gt-1', status: 'closed' },
    { id: 'e4', at: base + 31 * MINUTE, type: 'agent', agentId: 'polecat-2', role: 'polecat', status: 'working', beadId: 'gt-2' },
    { id: 'e5', at: base + 32 * MINUTE, type: 'bead', beadId: 'gt-2', status: 'open', title: 'Ship the gauge' },
  ];
  data1(await c.post(`/api/towns/${town.id}/events`, { events }, ingest), 'events');
  const usage = [];
  for (let i = 0; i < 40; i++) {
    usage.push(
      rec({
        id: `u${i}`,
        agentId: `polecat-${(i % 3) + 1}`,
        model: i % 2 ? 'claude-sonnet-4-5' : 'gpt-5',
        inputTokens: 1000 + i,
        outputTokens: 200 + i,
        cacheReadTokens: 50 * i,
        costMicrodollars: 10_000 + 137 * i,
        at: base + i * 90_000,
      }),
    );
  }
  data1(await c.usage(town.id, ingest, usage), 'usage');
  data1(await c.usage(own.id, own.ingest, [rec({ id: 'o1', costMicrodollars: 5_000, at: base })]), 'usage own');
  data1(
    await c.post(
      `/api/towns/${town.id}/loc`,
      { agents: [{ agentId: 'polecat-1', additions: 120, deletions: 30, files: 4 }] },
      ingest,
    ),
    'loc',
  );
  // Settled: both towns' spend debited from their accounts (the ledger shows it) by a tick.
  // Both accounts (the organisation's and alice's own) show their town's debit: each settled by a tick.
  await eventually(async () => {
    for (const input of [{ organizationId: org.id }, {}]) {
      const ledger = data(await c.query('billing.ledger', input, alice.token), 'ledger') as {
        entries: { amountMicrodollars: number }[];
      };
      if (!ledger.entries.some((e) => e.amountMicrodollars < 0)) return undefined;
    }
    return true;
  }, 'the spend settled');

  const out = new Map<string, unknown>();
  const ids = new Map<string, string>([
    [town.id, '<town>'],
    [own.id, '<own town>'],
    [org.id, '<org>'],
    [alice.id, '<alice>'],
    [bob.id, '<bob>'],
  ]);
  const keep = (what: string, answer: unknown) => out.set(what, normalize(answer, ids));
  const q = async (proc: string, input: unknown, token = alice.token) =>
    keep(`${proc} ${JSON.stringify(normalize(input, ids))}`, data(await c.query(proc, input, token), proc));
  const from = base - HOUR;
  // Up to the current hour: gauges (agents, open beads, lines) are sampled by each host's ticks from now on,
  // so the current buckets' averages depend on how many ticks each host ran; throughput compares them now.
  const to = base + 2 * HOUR;
  const t = town.id;
  await q('metrics.throughput', { townId: t });
  await q('metrics.timeseries', { townId: t, from, to, maxPoints: 200 });
  await q('metrics.timeseries', { townId: t, from, to, maxPoints: 10, tz: 'America/New_York' });
  for (const by of ['agent', 'model'])
    for (const metric of ['tokens', 'cost'])
      await q('metrics.breakdown', { townId: t, from, to, maxPoints: 50, by, metric, limit: 2 });
  await q('metrics.agents', { townId: t, limit: 2 });
  await q('metrics.events', { townId: t, limit: 3 });
  await q('metrics.event', { townId: t, id: 'e3' });
  await q('beads.list', { townId: t });
  await q('beads.list', { townId: t, status: 'closed', sort: 'closedAt' });
  await q('beads.get', { townId: t, beadId: 'gt-1' });
  await q('beads.stats', { townId: t, from, to });
  await q('towns.list', {});
  await q('towns.list', {}, bob.token);
  await q('towns.get', { townId: t });
  await q('towns.get', { townId: t }, bob.token);
  await q('towns.getRunawayRules', { townId: t });
  await q('orgs.list', {});
  await q('orgs.members', { organizationId: org.id });
  await q('orgs.invitations', {}, bob.token);
  await q('billing.balance', {});
  await q('billing.balance', { organizationId: org.id });
  await q('billing.ledger', { organizationId: org.id });
  await q('billing.alerts', { organizationId: org.id });
  await q('billing.alertSettings', { organizationId: org.id });
  const keys = data(await c.query('towns.listKeys', { townId: t }, alice.token), 'listKeys') as Record<string, unknown>[];
  keep(
    'towns.listKeys (without times)',
    keys.map(({ createdAt: _c, lastUsedAt: _l, ...rest }) => rest),
  );
  for (const path of [
    `/api/towns/${t}/metrics/throughput`,
    `/api/towns/${t}/beads`,
    `/api/towns/${t}/beads/gt-1`,
    `/api/towns/${t}/beads-stats?from=${from}&to=${to}`,
    `/api/towns/${t}/metrics/timeseries?from=${from}&to=${to}&maxPoints=60`,
    '/api/towns',
    '/api/balance',
  ]) {
    const r = await c.get(path, alice.token);
    keep(`GET ${path.replace(t, '<town>')}`, { status: r.status, body: normalize(r.body, ids) });
  }
  const prom = await c.get(`/api/towns/${t}/metrics/prometheus`, alice.token);
  keep(
    'GET prometheus',
    String(prom.body ?? '')
      .replaceAll(t, '<town>')
      .replace(/^gasgauge_storage_bytes \d+$/m, 'gasgauge_storage_bytes <bytes>')
      // When each host last ticked the town is its own clock's (and a host may not have ticked it yet).
      .replace(/^gasgauge_tick_last_success_timestamp_seconds \S+\n/m, ''),
  );
  return out;
}

function data1(r: HttpResult, what: string): void {
  if (r.status !== 200) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
}

/** When the scenario began: a number from then on is a moment one host's clock chose (a tick, a settle), not the scenario's. */
const STARTED = Date.now();

/** Ids each host made, named; times each host's clock chose, and ages measured against it, named and not compared. */
function normalize(value: unknown, ids: Map<string, string>): unknown {
  let text = JSON.stringify(value);
  for (const [id, name] of ids) text = text.replaceAll(id, name);
  return JSON.parse(text, function (this: Record<string, unknown>, key, v) {
    if (typeof v !== 'number') return v;
    if (v >= STARTED - 1000 && v <= STARTED + HOUR) return '<host time>';
    if (key === 'dataAgeMs') return '<age>';
    // A Durable Object counts its storage's size, Node the pages in use (core storage-quota.ts).
    if (key === 'usedBytes') return '<bytes>';
    // One sequence for every account's ledger: whose town a host's tick settled first orders them.
    if (key === 'seq') return '<seq>';
    // An open bead's duration runs to the host's now.
    if (key === 'durationMs' && this.status !== 'closed') return '<running>';
    return v;
  });
}
