import { join } from 'node:path';
import { Control } from '@gasgauge/core';
import { openSqlite } from '@gasgauge/server/sqlite';
import { tempDir } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { WebhookDelivery } from './webhooks.js';

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
