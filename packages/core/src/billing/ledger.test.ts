import { join } from 'node:path';
import { openSqlite } from '@gasgauge/server/sqlite';
import { tempDir } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { Control } from '../control/control.js';
import { AppError } from '../errors.js';
import { MAX_BALANCE_MICRODOLLARS, MAX_GRANT_MICRODOLLARS } from './ledger.js';

const T0 = Date.UTC(2026, 10, 25, 12);

function setup() {
  const sql = openSqlite(join(tempDir('gg-ledger-'), 'control.sqlite'));
  const control = new Control(sql, () => T0);
  const user = control.createUser('user_1', 'ada');
  return { sql, control, user };
}

function fault(fn: () => unknown): { code: string; path: string | undefined } {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return { code: err.code, path: err.path };
    throw err;
  }
  throw new Error('expected an AppError');
}

describe('ledger', () => {
  it('refuses a grant that is not a positive whole number of microdollars, and stores nothing', () => {
    const { control, user, sql } = setup();
    for (const amount of [-1, 0, 1.5, Number.NaN, MAX_GRANT_MICRODOLLARS + 1]) {
      expect(fault(() => control.ledger.grant(user.id, amount, T0))).toEqual({ code: 'bad_request', path: 'amountMicrodollars' });
    }
    expect(fault(() => control.ledger.grant(user.id, 1, T0, 'x'.repeat(501)))).toEqual({ code: 'bad_request', path: 'note' });
    expect(sql.rows('SELECT COUNT(*) FROM ledger')[0]?.[0]).toBe(0);
    expect(control.ledger.balance(user.id)).toBe(0);
  });

  it('grants up to the balance bound exactly and refuses one microdollar more', () => {
    const { control, user, sql } = setup();
    const grants = MAX_BALANCE_MICRODOLLARS / MAX_GRANT_MICRODOLLARS;
    sql.transaction(() => {
      for (let i = 0; i < grants; i++) control.ledger.grant(user.id, MAX_GRANT_MICRODOLLARS, T0);
    });
    expect(control.ledger.balance(user.id)).toBe(MAX_BALANCE_MICRODOLLARS);
    expect(fault(() => control.ledger.grant(user.id, 1, T0))).toEqual({ code: 'bad_request', path: 'amountMicrodollars' });
    control.ledger.debit(user.id, 'd', 1, T0, 'town_1');
    expect(control.ledger.grant(user.id, 1, T0).balanceAfterMicrodollars).toBe(MAX_BALANCE_MICRODOLLARS);
    expect(sql.rows('SELECT SUM(amount_microdollars) FROM ledger')[0]?.[0]).toBe(MAX_BALANCE_MICRODOLLARS);
  });

  it('refuses an entry whose balance would not be exact, rather than rounding it', () => {
    const { control, user, sql } = setup();
    // Only reachable after $9 billion of net debits; set the last balance directly.
    control.ledger.debit(user.id, 'd0', 1, T0, 'town_1');
    sql.run('UPDATE ledger SET balance_after_microdollars = ?', -Number.MAX_SAFE_INTEGER + 1);
    control.ledger.debit(user.id, 'd1', 1, T0, 'town_1');
    expect(fault(() => control.ledger.debit(user.id, 'd2', 1, T0, 'town_1'))).toEqual({ code: 'internal', path: undefined });
    expect(control.ledger.balance(user.id)).toBe(-Number.MAX_SAFE_INTEGER);
  });

  it('debits once per key, and the balance is always the sum of the entries', () => {
    const { control, user, sql } = setup();
    control.ledger.grant(user.id, 1_000_000, T0, 'welcome');
    expect(control.ledger.debit(user.id, 'town_1:1', 250_000, T0, 'town_1')?.balanceAfterMicrodollars).toBe(750_000);
    expect(control.ledger.debit(user.id, 'town_1:1', 250_000, T0, 'town_1')).toBeUndefined();
    control.ledger.debit(user.id, 'town_1:2', 900_000, T0, 'town_1'); // spend already happened: the balance may go below zero
    expect(control.ledger.balance(user.id)).toBe(-150_000);
    expect(sql.rows('SELECT SUM(amount_microdollars) FROM ledger WHERE account_id = ?', user.id)[0]?.[0]).toBe(-150_000);
    expect(control.ledger.balance('org_other')).toBe(0);
  });

  it('pages newest first with a cursor', () => {
    const { control, user } = setup();
    for (let i = 1; i <= 5; i++) control.ledger.grant(user.id, i, T0 + i);
    const first = control.ledger.entries(user.id, 2);
    expect(first.entries.map((e) => e.amountMicrodollars)).toEqual([5, 4]);
    const second = control.ledger.entries(user.id, 2, first.nextCursor ?? undefined);
    expect(second.entries.map((e) => e.amountMicrodollars)).toEqual([3, 2]);
    const last = control.ledger.entries(user.id, 2, second.nextCursor ?? undefined);
    expect(last).toMatchObject({ nextCursor: null });
    expect(last.entries.map((e) => e.amountMicrodollars)).toEqual([1]);
  });

  it('raises one low-balance alert per downward crossing of the threshold', () => {
    const { control, user } = setup();
    control.ledger.grant(user.id, 6_000_000, T0); // threshold: the default $5
    control.ledger.debit(user.id, 'd1', 500_000, T0, 'town_1'); // 5.50
    expect(control.alerts.list(user.id, 10)).toHaveLength(0);
    control.ledger.debit(user.id, 'd2', 1_000_000, T0, 'town_1'); // 4.50: crossed
    control.ledger.debit(user.id, 'd2', 1_000_000, T0, 'town_1'); // the same debit again: nothing
    control.ledger.debit(user.id, 'd3', 1_000_000, T0, 'town_1'); // 3.50: still below, no new crossing
    expect(control.alerts.list(user.id, 10).map((a) => a.details)).toEqual([
      { balanceMicrodollars: 4_500_000, thresholdMicrodollars: 5_000_000 },
    ]);
    control.ledger.grant(user.id, 10_000_000, T0); // 13.50: above again
    control.ledger.debit(user.id, 'd4', 9_000_000, T0, 'town_1'); // 4.50: a second crossing
    const alerts = control.alerts.list(user.id, 10);
    expect(alerts).toHaveLength(2);
    expect(alerts[0]).toMatchObject({ kind: 'low_balance', delivery: 'none', townId: null });
  });

  it('alerts an account that starts below its threshold once, not on every entry', () => {
    const { control, user } = setup();
    control.ledger.grant(user.id, 3_000_000, T0, 'trial'); // $3 against the default $5 line
    control.ledger.debit(user.id, 'd1', 1_000_000, T0, 'town_1');
    control.ledger.debit(user.id, 'd2', 9_000_000, T0, 'town_1'); // -$7
    expect(control.alerts.list(user.id, 10).map((a) => a.details)).toEqual([
      { balanceMicrodollars: 3_000_000, thresholdMicrodollars: 5_000_000 },
    ]);
  });

  it('queues a webhook delivery only when the account has a webhook', () => {
    const { control, user } = setup();
    control.alerts.configure(user.id, { webhookUrl: 'https://hooks.example/T0/secret' });
    control.ledger.grant(user.id, 5_000_000, T0);
    control.ledger.debit(user.id, 'd1', 1, T0, 'town_1');
    expect(control.alerts.due(T0, 10).map((d) => [d.alert.delivery, d.webhookUrl])).toEqual([
      ['pending', 'https://hooks.example/T0/secret'],
    ]);
    expect(fault(() => control.alerts.configure(user.id, { webhookUrl: 'ftp://x' }))).toEqual({
      code: 'bad_request',
      path: 'webhookUrl',
    });
    expect(fault(() => control.alerts.configure(user.id, { lowBalanceMicrodollars: -1 }))).toEqual({
      code: 'bad_request',
      path: 'lowBalanceMicrodollars',
    });
  });
});
