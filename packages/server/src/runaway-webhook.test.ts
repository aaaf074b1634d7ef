import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startTestServer, type TestServer, trpcPath } from './testing/server.js';
import { usageRecord } from './testing/temp.js';

/** A webhook receiver on loopback that records every alert POSTed to it. */
async function receiver(): Promise<{
  url: string;
  received: { kind: string; details: Record<string, unknown> }[];
  close(): Promise<void>;
}> {
  const received: { kind: string; details: Record<string, unknown> }[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => {
      text += d.toString();
    });
    req.on('end', () => {
      received.push(JSON.parse(text));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, received, close: () => new Promise((r) => server.close(() => r())) };
}

const settle = () => new Promise((r) => setTimeout(r, 700)); // more than one webhook poll

/** Waits for the alerts a test expects: delivery polls every 100 ms here, later on a loaded machine. */
async function delivered(what: string, fn: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

let s: TestServer;
let hook: Awaited<ReturnType<typeof receiver>>;
const clock = { t: Date.UTC(2026, 10, 2, 9, 0, 0) };
beforeAll(async () => {
  hook = await receiver();
  s = await startTestServer({ webhooks: { baseDelayMs: 100, allowPrivate: true }, clock: () => clock.t, autoTick: false });
});
afterAll(async () => {
  await s?.close();
  await hook?.close();
});

describe('runaway rules', () => {
  it('alert once per episode through the webhook and the feed, and re-arm when the condition clears', async () => {
    const admin = s.adminToken;
    const mutate = async (proc: string, input: unknown) => {
      const r = await request(s.url, 'POST', `/trpc/${proc}`, admin, input);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body.result.data;
    };
    await mutate('billing.setAlertSettings', { webhookUrl: hook.url, lowBalanceMicrodollars: 0 });
    await mutate('towns.setRunawayRules', {
      townId: s.townId,
      spendRate: { enabled: true, microdollars: 1_000_000, windowMinutes: 10 },
      noProgress: { enabled: false, minutes: 30, minMicrodollars: 0 },
      beadBudgetMicrodollars: null,
    });
    let n = 0;
    const spend = async (agentId: string, cost: number) => {
      const records = [usageRecord({ id: `u${n++}`, agentId, at: clock.t, costMicrodollars: cost })];
      expect((await s.post(`/api/towns/${s.townId}/usage`, { records })).status).toBe(200);
    };
    const runaway = () => hook.received.filter((a) => a.kind === 'runaway');

    // $1.20 in a minute from one agent: over $1 in 10 minutes. Another agent's $0.50 is not.
    await spend('polecat-1', 600_000);
    await spend('polecat-1', 600_000);
    await spend('polecat-2', 500_000);
    await s.tickTown(s.townId);
    await delivered('the runaway alert', () => runaway().length > 0);
    await settle(); // and no other
    expect(runaway().map((a) => a.details)).toEqual([
      expect.objectContaining({ rule: 'spendRate', agentId: 'polecat-1', costMicrodollars: 1_200_000 }),
    ]);
    // The episode lasts: ticking on and spending more raises nothing new; the overview flags the agent.
    clock.t += 60_000;
    await spend('polecat-1', 300_000);
    await s.tickTown(s.townId);
    await s.tickTown(s.townId);
    await settle();
    expect(runaway()).toHaveLength(1);
    const agents = (await request(s.url, 'GET', trpcPath('metrics.agents', { townId: s.townId }), admin)).body.result.data.agents;
    expect(agents.find((a: { id: string }) => a.id === 'polecat-1')).toMatchObject({
      runaway: { rule: 'spendRate' },
      costLastHourMicrodollars: 1_500_000,
    });
    expect(agents.find((a: { id: string }) => a.id === 'polecat-2').runaway).toBeNull();
    const feed = (await request(s.url, 'GET', trpcPath('metrics.events', { townId: s.townId }), admin)).body.result.data.events;
    expect(feed.filter((e: { type: string }) => e.type === 'runaway').map((e: { agentId: string }) => e.agentId)).toEqual([
      'polecat-1',
    ]);

    // Eleven minutes on, the window has cleared: the episode ends. Spending fast again is a new episode.
    clock.t += 11 * 60_000;
    await s.tickTown(s.townId);
    await spend('polecat-1', 1_100_000);
    await s.tickTown(s.townId);
    await delivered('the second episode', () => runaway().length > 1);
    await settle(); // and no other
    expect(runaway()).toHaveLength(2);
    expect(runaway()[1]?.details).toMatchObject({ rule: 'spendRate', agentId: 'polecat-1', costMicrodollars: 1_100_000 });
  });

  it('alerts a bead budget at 80 % and at 100 %, once each', async () => {
    const admin = s.adminToken;
    const r = await request(s.url, 'POST', '/trpc/towns.setRunawayRules', admin, {
      townId: s.townId,
      spendRate: { enabled: false, microdollars: 1_000_000, windowMinutes: 10 },
      noProgress: { enabled: false, minutes: 30, minMicrodollars: 0 },
      beadBudgetMicrodollars: 1_000_000,
    });
    expect(r.status).toBe(200);
    const spend = async (id: string, cost: number) => {
      const records = [usageRecord({ id, agentId: 'polecat-3', beadId: 'gt-7', at: clock.t, costMicrodollars: cost })];
      expect((await s.post(`/api/towns/${s.townId}/usage`, { records })).status).toBe(200);
      await s.tickTown(s.townId);
      await s.tickTown(s.townId);
      await settle();
    };
    const budget = () => hook.received.filter((a) => a.kind === 'runaway' && a.details.rule === 'beadBudget');
    await spend('b1', 700_000);
    expect(budget()).toHaveLength(0);
    await spend('b2', 150_000);
    await delivered('the 80 % alert', () => budget().length > 0);
    expect(budget().map((a) => a.details.percent)).toEqual([80]);
    await spend('b3', 10_000);
    await spend('b4', 200_000);
    await delivered('the 100 % alert', () => budget().length > 1);
    expect(budget().map((a) => a.details.percent)).toEqual([80, 100]);
    const rules = (await request(s.url, 'GET', trpcPath('towns.getRunawayRules', { townId: s.townId }), admin)).body.result.data;
    expect(rules.episodes).toEqual([expect.objectContaining({ rule: 'beadBudget', subject: 'gt-7', level: 100 })]);
  });

  it("refuses rules out of bounds, naming the field, and hides another user's town", async () => {
    const bad = await request(s.url, 'POST', '/trpc/towns.setRunawayRules', s.adminToken, {
      townId: s.townId,
      spendRate: { enabled: true, microdollars: 1, windowMinutes: 100_000 },
      noProgress: { enabled: false, minutes: 30, minMicrodollars: 0 },
      beadBudgetMicrodollars: null,
    });
    expect([bad.status, bad.body.error.data?.path ?? bad.body.error.message]).toEqual([
      400,
      expect.stringContaining('windowMinutes'),
    ]);
    const other = await s.addUser('eve');
    const hidden = await request(s.url, 'GET', trpcPath('towns.getRunawayRules', { townId: s.townId }), other.token);
    expect(hidden.status).toBe(404);
  });
});
