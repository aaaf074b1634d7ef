import {
  Control,
  MAX_BALANCE_MICRODOLLARS,
  MAX_GRANT_MICRODOLLARS,
  MAX_HOUR_COST_MICRODOLLARS,
  MAX_RECORD_COST_MICRODOLLARS,
  MAX_RECORD_TOKENS,
} from '@gasgauge/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataDir } from './data-dir.js';
import { openSqlite } from './sqlite.js';
import { request, startTestServer, type TestServer, trpcPath } from './testing/server.js';

/*
 * The attack of issue 9: two batches of 5,000 records of 999,999,999,999 µ$ in one hour made the
 * stored hour lose precision (9,999,999,999,990,000), every later tick of the town failed on a debit
 * that was not a whole number, and the town's ordinary spend was never debited again.
 */

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 25, 12, 10);
const now = { t: T0 };

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ autoTick: false, clock: () => now.t });
});
afterAll(async () => {
  await s?.close();
});

const record = (id: string, over: Record<string, unknown> = {}) => ({
  id,
  agentId: 'a1',
  model: 'm',
  inputTokens: 1,
  outputTokens: 1,
  costMicrodollars: 1,
  at: now.t,
  mode: 'delta',
  ...over,
});
const batch = (prefix: string, cost: number) =>
  Array.from({ length: 5000 }, (_, i) => record(`${prefix}${i}`, { costMicrodollars: cost, at: T0 + i }));
const usage = (records: unknown[]) => s.post(`/api/towns/${s.townId}/usage`, { records });

async function hourCost(): Promise<number | null> {
  const r = await s.get(`/api/towns/${s.townId}/metrics/timeseries?from=${T0 - 600_000}&to=${T0 + 3_000_000}&maxPoints=1`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.series.cost_microdollars[0];
}

async function debits(): Promise<number[]> {
  const r = await s.get(trpcPath('billing.ledger', { limit: 500 }));
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return (r.body.result.data.entries as { kind: string; amountMicrodollars: number }[])
    .filter((e) => e.kind === 'debit')
    .map((e) => -e.amountMicrodollars)
    .reverse();
}

describe('the overflow attack over HTTP', () => {
  it('refuses both batches naming the field, stores nothing, and later spend is debited', async () => {
    for (const prefix of ['x', 'y']) {
      const r = await usage(batch(prefix, 999_999_999_999));
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'bad_request', path: 'records[0].costMicrodollars' });
    }
    // The same attack within the per-record bound: the hour bound refuses the record that would cross it.
    for (const prefix of ['p', 'q']) {
      const r = await usage(batch(prefix, MAX_RECORD_COST_MICRODOLLARS));
      expect(r.status).toBe(400);
      const first = MAX_HOUR_COST_MICRODOLLARS / MAX_RECORD_COST_MICRODOLLARS;
      expect(r.body.error).toMatchObject({ code: 'bad_request', path: `records[${first}].costMicrodollars` });
    }
    expect(await hourCost()).toBeNull();
    // Every record id of the refused batches is unknown: resending one counts it.
    expect((await usage([record('x0', { costMicrodollars: 1000 })])).body).toMatchObject({ accepted: 1 });

    now.t = T0 + 60_000;
    await s.tickTown(s.townId);
    expect(await debits()).toEqual([1000]);
    // Ticks go on billing: the next minute's spend is debited once, as the hour's increase.
    expect((await usage([record('ordinary', { costMicrodollars: 234 })])).status).toBe(200);
    now.t = T0 + 2 * 60_000;
    await s.tickTown(s.townId);
    await s.tickTown(s.townId);
    expect(await debits()).toEqual([1000, 234]);
    expect(await hourCost()).toBe(1234);
  });

  it('accepts each per-record amount at its bound and refuses one more', async () => {
    const fields = ['inputTokens', 'outputTokens', 'reasoningTokens', 'cacheReadTokens', 'cacheWriteTokens'];
    for (const field of fields) {
      const ok = await usage([record(`max-${field}`, { [field]: MAX_RECORD_TOKENS })]);
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      const over = await usage([record('ok'), record(`over-${field}`, { [field]: MAX_RECORD_TOKENS + 1 })]);
      expect(over.status).toBe(400);
      expect(over.body.error.path).toBe(`records[1].${field}`);
    }
    now.t = T0 + HOUR;
    const cost = await usage([record('max-cost', { costMicrodollars: MAX_RECORD_COST_MICRODOLLARS })]);
    expect(cost.status, JSON.stringify(cost.body)).toBe(200);
    const over = await usage([record('over-cost', { costMicrodollars: MAX_RECORD_COST_MICRODOLLARS + 1 })]);
    expect(over.body.error).toMatchObject({ code: 'bad_request', path: 'records[0].costMicrodollars' });
  });

  it('grants over the API up to the balance bound and refuses one microdollar more, naming the field', async () => {
    const grant = (amountMicrodollars: number) =>
      request(s.url, 'POST', '/trpc/billing.grant', s.adminToken, { userName: 'admin', amountMicrodollars });
    expect((await grant(MAX_GRANT_MICRODOLLARS + 1)).body.error.data).toMatchObject({
      httpStatus: 400,
      path: 'amountMicrodollars',
    });
    // Fill the account to just below the bound in the control store, as `gasgauge credits grant` would.
    const sql = openSqlite(new DataDir(s.dataDir).controlFile);
    try {
      const control = new Control(sql, () => now.t);
      const admin = control.userByName('admin')?.id as string;
      const missing = MAX_BALANCE_MICRODOLLARS - control.ledger.balance(admin) - 1;
      sql.transaction(() => {
        for (let left = missing; left > 0; left -= MAX_GRANT_MICRODOLLARS) {
          control.ledger.grant(admin, Math.min(left, MAX_GRANT_MICRODOLLARS), now.t);
        }
      });
    } finally {
      sql.close();
    }
    const last = await grant(1);
    expect(last.status, JSON.stringify(last.body)).toBe(200);
    expect(last.body.result.data.balanceAfterMicrodollars).toBe(MAX_BALANCE_MICRODOLLARS);
    const over = await grant(1);
    expect(over.status).toBe(400);
    expect(over.body.error.data).toMatchObject({ code: 'BAD_REQUEST', path: 'amountMicrodollars' });
    expect((await s.get('/api/balance')).body.balanceMicrodollars).toBe(MAX_BALANCE_MICRODOLLARS);
  });
});
