import { lookup } from 'node:dns/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { WebhookDelivery } from '@gasgauge/api';
import { Control, isPrivateAddress } from '@gasgauge/core';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite } from './sqlite.js';
import { tempDir } from './testing/temp.js';
import { webhookFetch } from './webhook-fetch.js';

const T0 = Date.UTC(2026, 10, 25, 12);

/** An account whose webhook is `url` and one low-balance alert due (as in api's webhooks.test.ts). */
function setup(url: string) {
  const control = new Control(openSqlite(join(tempDir('gg-hook-fetch-'), 'control.sqlite')), () => T0);
  const user = control.createUser('user_1', 'ada');
  control.alerts.configure(user.id, { webhookUrl: url }, true);
  control.ledger.grant(user.id, 1, T0);
  control.ledger.debit(user.id, 'k', 1, T0, 'town_1');
  return { control, user };
}

/** A real receiver on loopback; records what it got. */
async function receiver(answer: (req: IncomingMessage, res: ServerResponse) => void = (_q, r) => void r.writeHead(204).end()) {
  const got: { headers: IncomingMessage['headers']; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      answer(req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { got, server, port: (server.address() as AddressInfo).port };
}

let close: (() => void) | undefined;
afterEach(() => {
  close?.();
  close = undefined;
});

describe('the server’s webhook fetch', () => {
  it('refuses a name that was public when checked and is loopback when connected to (DNS rebinding)', async () => {
    // This machine's own name resolves to a loopback address (/etc/hosts): the second DNS answer.
    const name = hostname();
    expect(isPrivateAddress((await lookup(name)).address)).toBe(true);
    const r = await receiver();
    close = () => r.server.close();
    const { control, user } = setup(`http://${name}:${r.port}/hook`);
    // No DNS server here that changes its answer: the pre-check's resolver stands in for its first, public one.
    const delivery = new WebhookDelivery(
      control,
      () => T0,
      { resolve: async () => ['93.184.216.34'], log: () => {} },
      webhookFetch(),
    );
    expect(await delivery.deliverDue()).toBe(0);
    expect(r.got).toEqual([]);
    expect(control.alerts.list(user.id, 10)[0]).toMatchObject({
      delivery: 'pending',
      lastError: expect.stringMatching(/^refused/),
    });
  });

  it('delivers the alert (method, headers, body) and reports statuses and timeouts as fetch would', async () => {
    const answers = [204, 500];
    const r = await receiver((_req, res) => {
      const status = answers.shift();
      if (status === undefined) return; // Never answers: the attempt times out.
      res.writeHead(status).end('x'.repeat(100_000));
    });
    close = () => {
      r.server.closeAllConnections();
      r.server.close();
    };
    // The rule stands aside so the receiver on loopback can be reached.
    const fetchImpl = webhookFetch(undefined, () => false);
    const outcomes: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const { control, user } = setup(`http://127.0.0.1:${r.port}/hook`);
      const delivery = new WebhookDelivery(control, () => T0, { allowPrivate: true, timeoutMs: 300, log: () => {} }, fetchImpl);
      await delivery.deliverDue();
      const alert = control.alerts.list(user.id, 10)[0];
      outcomes.push([alert?.delivery, alert?.lastError ?? null]);
    }
    expect(outcomes).toEqual([
      ['delivered', null],
      ['pending', 'HTTP 500'],
      ['pending', 'timed out'],
    ]);
    const first = r.got[0];
    expect(first?.headers).toMatchObject({ 'content-type': 'application/json', 'user-agent': 'gasgauge-alerts' });
    expect(JSON.parse(first?.body ?? '')).toMatchObject({ kind: expect.any(String), accountId: expect.any(String) });
  });
});
