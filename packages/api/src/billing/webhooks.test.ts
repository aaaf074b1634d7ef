import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Control } from '@gasgauge/core';
import { openSqlite } from '@gasgauge/server/sqlite';
import { tempDir } from '@gasgauge/server/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_IN_FLIGHT, MAX_IN_FLIGHT_PER_ACCOUNT, MAX_POSTS_PER_ACCOUNT_PER_MINUTE, WebhookDelivery } from './webhooks.js';

const T0 = Date.UTC(2026, 10, 25, 12);

/** An account whose webhook is `url` (stored as an operator allowed it) and one low-balance alert due. */
function setup(url: string) {
  const control = new Control(openSqlite(join(tempDir('gg-hooks-'), 'control.sqlite')), () => T0);
  const user = control.createUser('user_1', 'ada');
  control.alerts.configure(user.id, { webhookUrl: url }, true);
  control.ledger.grant(user.id, 1, T0); // $0.000001: below the default $5 line at once
  control.ledger.debit(user.id, 'k', 1, T0, 'town_1');
  return { control, user };
}

describe('webhook delivery guard', () => {
  it.each([
    ['10.0.0.5'],
    ['::ffff:0:7f00:1'], // IPv4-translated loopback
    ['64:ff9b::a9fe:a9fe'], // NAT64 cloud metadata
    ['2002:a00:1::1'], // 6to4 of 10.0.0.1
    ['fe80::1%eth0'],
    ['93.184.216.34', 'fd00::1'], // one private answer among public ones is enough
  ])('refuses a host that resolves to %s, without connecting, and says so in the alert', async (...resolved) => {
    const { control, user } = setup('https://hooks.example.com/T0/s3cret');
    const calls: string[] = [];
    const logs: string[] = [];
    const delivery = new WebhookDelivery(
      control,
      () => T0,
      // No DNS server here: the resolver stands in for one that answers with an internal address.
      { resolve: async () => resolved, log: (l) => logs.push(l) },
      async (input) => {
        calls.push(String(input));
        return new Response(null, { status: 204 });
      },
    );
    expect(await delivery.deliverDue()).toBe(0);
    expect(calls).toEqual([]);
    const [alert] = control.alerts.list(user.id, 10);
    expect(alert).toMatchObject({ delivery: 'pending', attempts: 1, lastError: expect.stringMatching(/^refused/) });
    expect(logs.join('\n')).not.toContain('s3cret');
  });

  it('delivers to the same host when it resolves to a public address, or when private targets are allowed', async () => {
    for (const [resolved, allowPrivate] of [
      [['93.184.216.34'], false],
      [['10.0.0.5'], true],
    ] as const) {
      const { control, user } = setup('https://hooks.example.com/T0/s3cret');
      const calls: string[] = [];
      const delivery = new WebhookDelivery(
        control,
        () => T0,
        { resolve: async () => [...resolved], allowPrivate, log: () => {} },
        async (input) => {
          calls.push(String(input));
          return new Response(null, { status: 204 });
        },
      );
      expect(await delivery.deliverDue()).toBe(1);
      expect(calls).toEqual(['https://hooks.example.com/T0/s3cret']);
      expect(control.alerts.list(user.id, 10)[0]).toMatchObject({ delivery: 'delivered', attempts: 1 });
    }
  });
});

/*
 * Fairness across accounts, with real receivers on loopback: one account's receiver that never
 * answers (each POST waits for the 10 s timeout) must not hold up another account's alerts.
 */
describe('webhook delivery across accounts', () => {
  const receivers: Server[] = [];
  afterEach(async () => {
    for (const r of receivers.splice(0)) {
      r.closeAllConnections();
      if (r.listening) await new Promise((resolve) => r.close(resolve));
    }
  });

  /** A receiver that reads each POST and then never answers; `open` counts the requests it holds. */
  async function hangingReceiver(): Promise<{ url: string; open: () => number; total: () => number; stop: () => void }> {
    let open = 0;
    let total = 0;
    const server = createServer((req, res) => {
      open++;
      total++;
      req.resume();
      res.on('close', () => open--);
    });
    const url = await listen(server);
    // Gone: the POSTs it holds fail, and the next are refused at once.
    const stop = () => {
      server.close();
      server.closeAllConnections();
    };
    return { url, open: () => open, total: () => total, stop };
  }

  async function answeringReceiver(): Promise<{ url: string; ids: string[] }> {
    const ids: string[] = [];
    const server = createServer((req, res) => {
      ids.push(String(req.headers['x-gasgauge-alert-id']));
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    return { url: await listen(server), ids };
  }

  async function listen(server: Server): Promise<string> {
    receivers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  }

  /** `n` low-balance alerts for `accountId`: each grant lifts the balance over the $5 line, each debit takes it under. */
  function raise(control: Control, accountId: string, n: number): void {
    for (let i = 0; i < n; i++) {
      control.ledger.grant(accountId, 10_000_000, Date.now());
      control.ledger.debit(accountId, `${accountId}-${i}-${Date.now()}`, 10_000_000, Date.now(), 'town_1');
    }
  }

  function accounts(hangingUrl: string, answeringUrl: string) {
    const control = new Control(openSqlite(join(tempDir('gg-hooks-fair-'), 'control.sqlite')), () => Date.now());
    const slow = control.createUser('user_slow', 'slow');
    const fast = control.createUser('user_fast', 'fast');
    control.alerts.configure(slow.id, { webhookUrl: hangingUrl }, true);
    control.alerts.configure(fast.id, { webhookUrl: answeringUrl }, true);
    const delivery = new WebhookDelivery(control, () => Date.now(), { allowPrivate: true, log: () => {} });
    const deliveredTo = (accountId: string) =>
      control.alerts.list(accountId, 200).filter((a) => a.delivery === 'delivered').length;
    return { control, slow, fast, delivery, deliveredTo };
  }

  async function until(cond: () => boolean, ms: number): Promise<number> {
    const started = performance.now();
    while (!cond()) {
      if (performance.now() - started > ms) throw new Error(`not within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return performance.now() - started;
  }

  it(`an account with ${MAX_IN_FLIGHT + 5} alerts and a hanging receiver takes ${MAX_IN_FLIGHT_PER_ACCOUNT} places; another account's alert goes at once`, async () => {
    const hanging = await hangingReceiver();
    const answering = await answeringReceiver();
    const { control, slow, fast, delivery, deliveredTo } = accounts(hanging.url, answering.url);
    raise(control, slow.id, MAX_IN_FLIGHT + 5); // all older than the other account's alert
    raise(control, fast.id, 1);
    const run = delivery.deliverDue();
    const took = await until(() => deliveredTo(fast.id) === 1, 2000);
    expect(took).toBeLessThan(1000);
    await until(() => hanging.open() === MAX_IN_FLIGHT_PER_ACCOUNT, 2000);
    expect(hanging.total()).toBe(MAX_IN_FLIGHT_PER_ACCOUNT);
    // The hanging receiver goes away: its POSTs fail and are retried later, as before.
    hanging.stop();
    await run;
    const slowAlerts = control.alerts.list(slow.id, 200);
    expect(slowAlerts.every((a) => a.delivery === 'pending')).toBe(true);
    expect(slowAlerts.filter((a) => a.attempts > 0).length).toBeGreaterThanOrEqual(MAX_IN_FLIGHT_PER_ACCOUNT);
  });

  it(`starts at most ${MAX_POSTS_PER_ACCOUNT_PER_MINUTE} POSTs an account a minute; the rest wait, due, and another account is not held`, async () => {
    const answering = await answeringReceiver();
    const other = await answeringReceiver();
    const now = { t: Date.now() };
    const control = new Control(openSqlite(join(tempDir('gg-hooks-rate-'), 'control.sqlite')), () => now.t);
    const busy = control.createUser('user_busy', 'busy');
    const calm = control.createUser('user_calm', 'calm');
    control.alerts.configure(busy.id, { webhookUrl: answering.url }, true);
    control.alerts.configure(calm.id, { webhookUrl: other.url }, true);
    const delivery = new WebhookDelivery(control, () => now.t, { allowPrivate: true, log: () => {} });
    raise(control, busy.id, MAX_POSTS_PER_ACCOUNT_PER_MINUTE + 10);
    raise(control, calm.id, 1);
    now.t = Date.now() + 1000; // every alert raised is due
    expect(await delivery.deliverDue()).toBe(MAX_POSTS_PER_ACCOUNT_PER_MINUTE + 1);
    expect(answering.ids).toHaveLength(MAX_POSTS_PER_ACCOUNT_PER_MINUTE);
    expect(other.ids).toHaveLength(1);
    const pending = () => control.alerts.list(busy.id, 200).filter((a) => a.delivery === 'pending').length;
    expect(pending()).toBe(10);
    // Still within the minute: nothing more goes.
    now.t += 59_000;
    expect(await delivery.deliverDue()).toBe(0);
    // A minute after the first POSTs, the rest.
    now.t += 1_001;
    expect(await delivery.deliverDue()).toBe(10);
    expect(pending()).toBe(0);
  });

  it("an alert that falls due while another account's POST hangs goes at once, not after the hanging one", async () => {
    const hanging = await hangingReceiver();
    const answering = await answeringReceiver();
    const { control, slow, fast, delivery, deliveredTo } = accounts(hanging.url, answering.url);
    raise(control, slow.id, 1);
    const run = delivery.deliverDue();
    await until(() => hanging.open() === 1, 2000);
    // A tick raises the other account's alert and asks for delivery (the Node scheduler, a control object's settle).
    raise(control, fast.id, 1);
    const again = delivery.deliverDue();
    const took = await until(() => deliveredTo(fast.id) === 1, 2000);
    expect(took).toBeLessThan(1000);
    expect(answering.ids).toHaveLength(1);
    hanging.stop();
    expect(await run).toBe(1);
    expect(await again).toBe(1);
  });
});
