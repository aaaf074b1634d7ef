import { join } from 'node:path';
import { Control, MAX_ALERTS_PER_ACCOUNT } from '@gasgauge/core';
import { openSqlite } from '@gasgauge/server/sqlite';
import { middayClock } from '@gasgauge/server/testing/clock';
import { type HttpResult, request, startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * A budget re-arms when its cap changes, so a script that lowers and raises it around every tick raises
 * two alerts a tick, forever: the account keeps its newest MAX_ALERTS_PER_ACCOUNT, over real HTTP.
 */
let s: TestServer;
/** Noon UTC today: the day's spend is still the day's at the last tick, whenever the test runs. */
const clock = middayClock();
let bob: { id: string; token: string };
const ok = (r: HttpResult) => {
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.result.data;
};
const setCap = (capMicrodollars: number) =>
  request(s.url, 'POST', '/trpc/towns.setBudget', s.adminToken, { townId: s.townId, period: 'day', capMicrodollars });

/** The control database as the CLI opens it beside the server. */
function withControl<T>(fn: (control: Control) => T): T {
  const sql = openSqlite(join(s.dataDir, 'control.sqlite'));
  try {
    return fn(new Control(sql, () => Date.now()));
  } finally {
    sql.close();
  }
}

beforeAll(async () => {
  s = await startTestServer({ autoTick: false, clock });
  bob = await s.addUser('bob');
}, 30_000);
afterAll(() => s?.close());

describe('alerts kept per account', () => {
  it(`a budget toggled around every tick leaves the account its newest ${MAX_ALERTS_PER_ACCOUNT} alerts, and no other account's fewer`, async () => {
    const record = {
      id: 'u1',
      agentId: 'a',
      model: 'm',
      inputTokens: 1,
      outputTokens: 1,
      costMicrodollars: 1_000_000,
      at: clock(),
    };
    expect((await s.post(`/api/towns/${s.townId}/usage`, { records: [record] })).status).toBe(200);
    await s.tickTown(s.townId);
    const admin = (await s.get('/auth/me')).body.user.id as string;
    // The account has all but a few of its alerts already; bob has three of his own.
    const seeded = MAX_ALERTS_PER_ACCOUNT - 4;
    withControl((control) => {
      for (let i = 0; i < seeded; i++) control.alerts.raise(`seed:${i}`, admin, null, 'low_balance', i, {});
      for (let i = 0; i < 3; i++) control.alerts.raise(`bob:${i}`, bob.id, null, 'low_balance', i, {});
    });

    const cycles = 5;
    for (let i = 0; i < cycles; i++) {
      ok(await setCap(10)); // crossed at once: 80 % and 100 % on the next tick
      await s.tickTown(s.townId);
      ok(await setCap(100_000_000_000)); // uncrossed: re-armed
    }

    const [kept, oldest, budget, bobs] = withControl(({ sql }) => [
      Number(sql.rows('SELECT COUNT(*) FROM alerts WHERE account_id = ?', admin)[0]?.[0]),
      sql.rows('SELECT key FROM alerts WHERE account_id = ? ORDER BY id LIMIT 1', admin)[0]?.[0],
      Number(sql.rows("SELECT COUNT(*) FROM alerts WHERE account_id = ? AND kind = 'budget'", admin)[0]?.[0]),
      Number(sql.rows('SELECT COUNT(*) FROM alerts WHERE account_id = ?', bob.id)[0]?.[0]),
    ]);
    expect(budget).toBe(2 * cycles); // the toggling did raise them all
    expect(kept).toBe(MAX_ALERTS_PER_ACCOUNT);
    expect(oldest).not.toBe('seed:0'); // the oldest went first
    expect(bobs).toBe(3);
    // The newest page through the API is the budget alerts, newest first.
    const page = ok(
      await request(s.url, 'GET', `/trpc/billing.alerts?input=${encodeURIComponent('{"limit":10}')}`, s.adminToken),
    );
    expect(page.alerts.map((a: { kind: string }) => a.kind)).toEqual(Array(10).fill('budget'));
  });
});
