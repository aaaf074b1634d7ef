import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newUserToken } from '@gasgauge/api';
import { afterAll, expect, it } from 'vitest';
import { tempDir } from '../../../server/src/testing/temp.js';
import { client, eventually } from '../testing/client.js';
import { startWorker, stopWorkers } from '../testing/wrangler-dev.js';

afterAll(stopWorkers);

it("delivers an alert to the account's webhook from the control object's alarm", async () => {
  // A receiver on loopback: the Worker runs with GASGAUGE_ALLOW_PRIVATE_WEBHOOKS, as --allow-private-webhooks on Node.
  const received: unknown[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (b: Buffer) => (body += b.toString()));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  try {
    const adminToken = newUserToken();
    const w = await startWorker({
      persistTo: tempDir('gg-worker-'),
      adminToken,
      secret: randomBytes(32).toString('base64url'),
      allowPrivateWebhooks: true,
    });
    const c = client({ url: w.url, adminToken, close: async () => {} });
    const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    expect((await c.mutate('billing.setAlertSettings', { webhookUrl })).status).toBe(200);
    // A grant that leaves the balance under the $5 default threshold raises a low-balance alert.
    expect((await c.mutate('billing.grant', { userName: 'admin', amountMicrodollars: 1000 })).status).toBe(200);
    const alert = await eventually(async () => received[0], 'the webhook');
    expect(alert).toMatchObject({ kind: 'low_balance', details: { balanceMicrodollars: 1000 } });
    const delivered = await eventually(async () => {
      const [a] = (await c.query('billing.alerts', {})).body.result.data.alerts;
      return a?.delivery === 'delivered' ? a : undefined;
    }, 'the delivery recorded');
    expect(delivered).toMatchObject({ kind: 'low_balance', attempts: 1 });
    expect(received).toHaveLength(1);
  } finally {
    await new Promise((resolve) => receiver.close(resolve));
  }
});

it("delivers an account's alert at once while the control object waits on another account's receiver that never answers", async () => {
  let held = 0;
  const hanging = createServer((req) => {
    held++;
    req.resume();
  });
  const arrived: number[] = [];
  const answering = createServer((req, res) => {
    arrived.push(performance.now());
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  const urlOf = async (s: ReturnType<typeof createServer>) => {
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}/hook`;
  };
  const [hangingUrl, answeringUrl] = [await urlOf(hanging), await urlOf(answering)];
  try {
    const adminToken = newUserToken();
    const w = await startWorker({
      persistTo: tempDir('gg-worker-'),
      adminToken,
      secret: randomBytes(32).toString('base64url'),
      allowPrivateWebhooks: true,
    });
    const c = client({ url: w.url, adminToken, close: async () => {} });
    const other = await c.user('bea');
    expect((await c.mutate('billing.setAlertSettings', { webhookUrl: hangingUrl })).status).toBe(200);
    expect((await c.mutate('billing.setAlertSettings', { webhookUrl: answeringUrl }, other.token)).status).toBe(200);
    // The admin's alert: its POST waits for the 10 s timeout in the control object's alarm.
    expect((await c.mutate('billing.grant', { userName: 'admin', amountMicrodollars: 1000 })).status).toBe(200);
    await eventually(async () => (held === 1 ? true : undefined), 'the hanging POST');
    const raised = performance.now();
    expect((await c.mutate('billing.grant', { userName: 'bea', amountMicrodollars: 1000 })).status).toBe(200);
    await eventually(async () => arrived[0], "the other account's webhook");
    expect((arrived[0] as number) - raised).toBeLessThan(3000);
  } finally {
    hanging.closeAllConnections();
    await Promise.all([hanging, answering].map((s) => new Promise((resolve) => s.close(resolve))));
  }
});
