import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { middayClock } from './testing/clock.js';
import { request, startTestServer, type TestServer, trpcPath } from './testing/server.js';
import { usageRecord } from './testing/temp.js';

interface Received {
  status: number;
  path: string;
  alertId: string | undefined;
  body: { id: number; kind: string; accountId: string; townId: string | null; at: number; details: Record<string, unknown> };
}

/** A webhook receiver on loopback that answers 500 to its first request and 200 after. */
async function receiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => {
      text += d.toString();
    });
    req.on('end', () => {
      const status = received.length === 0 ? 500 : 200;
      received.push({
        status,
        path: req.url ?? '',
        alertId: req.headers['x-gasgauge-alert-id'] as string,
        body: JSON.parse(text),
      });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/s3cr3t-path?key=k3y`,
    received,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

async function until(what: string, fn: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

let s: TestServer;
/** Noon UTC today: both spends fall in one budget day, whenever the test runs (u2 must reach 100 % of it). */
const clock = middayClock();
let hook: Awaited<ReturnType<typeof receiver>>;
beforeAll(async () => {
  hook = await receiver();
  s = await startTestServer({ webhooks: { baseDelayMs: 100, allowPrivate: true }, clock });
});
afterAll(async () => {
  await s?.close();
  await hook?.close();
});

describe('alerts to a webhook', () => {
  it('posts one alert per crossing, retries after a 500, and never logs the webhook secret', async () => {
    const admin = s.adminToken;
    const mutate = async (proc: string, input: unknown) => {
      const r = await request(s.url, 'POST', `/trpc/${proc}`, admin, input);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    };
    await mutate('billing.setAlertSettings', { webhookUrl: hook.url, lowBalanceMicrodollars: 5_000_000 });
    await mutate('billing.grant', { userName: 'admin', amountMicrodollars: 5_500_000, note: 'starter' });
    await mutate('towns.setBudget', { townId: s.townId, period: 'day', capMicrodollars: 1_000_000 });
    const spend = async (id: string, cost: number) => {
      const r = await s.post(`/api/towns/${s.townId}/usage`, {
        records: [usageRecord({ id, at: clock(), costMicrodollars: cost })],
      });
      expect(r.status).toBe(200);
    };

    // $0.90 of a $1 day: the budget crosses 80 %, and the balance ($4.60) crosses below $5.
    await spend('u1', 900_000);
    await s.tickTown(s.townId);
    await until('two alerts delivered', () => hook.received.filter((r) => r.status === 200).length >= 2);
    const [failed, ...rest] = hook.received;
    expect(failed?.status).toBe(500);
    expect(rest.map((r) => r.status)).toEqual([200, 200]);
    // The failed one came again: same id, same body.
    expect(rest.find((r) => r.body.id === failed?.body.id)?.body).toEqual(failed?.body);
    const byKind = Object.fromEntries(rest.map((r) => [r.body.kind, r.body]));
    expect(byKind.low_balance?.details).toEqual({ balanceMicrodollars: 4_600_000, thresholdMicrodollars: 5_000_000 });
    expect(byKind.budget).toMatchObject({
      townId: s.townId,
      details: { threshold: 0.8, period: 'day', capMicrodollars: 1_000_000, spentMicrodollars: 900_000 },
    });
    for (const r of hook.received) {
      expect(r.path).toBe('/hooks/s3cr3t-path?key=k3y');
      expect(r.alertId).toBe(String(r.body.id));
    }

    // Ticking on raises nothing new; the next crossing (100 %) raises exactly one more.
    await s.tickTown(s.townId);
    await s.tickTown(s.townId);
    await new Promise((r) => setTimeout(r, 700)); // more than one retry poll
    expect(hook.received).toHaveLength(3);
    await spend('u2', 200_000);
    await s.tickTown(s.townId);
    await until('the 100 % alert', () => hook.received.length === 4);
    expect(hook.received[3]?.body).toMatchObject({ kind: 'budget', details: { threshold: 1, spentMicrodollars: 1_100_000 } });

    const alerts = (await request(s.url, 'GET', trpcPath('billing.alerts', {}), admin)).body.result.data.alerts as {
      id: number;
      delivery: string;
      attempts: number;
    }[];
    expect(alerts.map((a) => [a.delivery, a.attempts]).sort()).toEqual(
      [
        ['delivered', 1],
        ['delivered', 1],
        ['delivered', 2],
      ].sort(),
    );
    expect(alerts.find((a) => a.attempts === 2)?.id).toBe(failed?.body.id);

    const port = new URL(hook.url).port;
    expect(s.logs.some((l) => l.includes(`127.0.0.1:${port}`) && l.includes('HTTP 500'))).toBe(true);
    expect(s.logs.filter((l) => l.includes('s3cr3t') || l.includes('k3y'))).toEqual([]);
  });
});

describe('a moved low-balance threshold', () => {
  it('re-arms through billing.setAlertSettings: the next spend below the new threshold is POSTed', async () => {
    const hook2 = await receiver();
    const s2 = await startTestServer({ webhooks: { baseDelayMs: 100, allowPrivate: true }, clock });
    try {
      const mutate = async (proc: string, input: unknown) => {
        const r = await request(s2.url, 'POST', `/trpc/${proc}`, s2.adminToken, input);
        expect(r.status, JSON.stringify(r.body)).toBe(200);
      };
      await mutate('billing.grant', { userName: 'admin', amountMicrodollars: 1_000_000 }); // below the default $5: raised
      await mutate('billing.setAlertSettings', { webhookUrl: hook2.url, lowBalanceMicrodollars: 900_000 });
      const r = await s2.post(`/api/towns/${s2.townId}/usage`, {
        records: [usageRecord({ id: 'u1', at: clock(), costMicrodollars: 200_000 })],
      });
      expect(r.status).toBe(200);
      await s2.tickTown(s2.townId);
      // Before the fix the $1 crossing of $5 kept the alert armed: $0.80 < $0.90 raised nothing.
      await until('the low-balance alert', () => hook2.received.some((x) => x.status === 200));
      expect(hook2.received.at(-1)?.body).toMatchObject({
        kind: 'low_balance',
        details: { balanceMicrodollars: 800_000, thresholdMicrodollars: 900_000 },
      });
    } finally {
      await s2.close();
      await hook2.close();
    }
  });
});
