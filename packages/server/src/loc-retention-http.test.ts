import { CURRENT_LOC, DEFAULT_LOC_TTL_MS, MAX_RUNAWAY_MINUTES } from '@gasgauge/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { middayClock } from './testing/clock.js';
import { startTestServer, type TestServer } from './testing/server.js';

const MINUTE = 60_000;
const DAY = MAX_RUNAWAY_MINUTES * MINUTE;

// Clock-free budgets: this town has none; the clock only moves past the reports' expiry.
describe('lines-of-code reports of agent ids a writer makes up (attack12)', () => {
  const clock = middayClock();
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ clock, autoTick: false });
  });
  afterAll(() => s?.close());

  const locRows = () => s.openTown(s.townId).sql.rows('SELECT COUNT(*) FROM loc')[0]?.[0];
  const locNow = async () => {
    const r = await s.get(`/api/towns/${s.townId}/metrics/throughput`);
    expect(r.status).toBe(200);
    return r.body.locAdditions as number;
  };
  const post = async (ids: string[], token = s.ingestToken) => {
    const agents = ids.map((agentId) => ({ agentId, additions: 1, deletions: 0 }));
    const r = await s.post(`/api/towns/${s.townId}/loc`, { agents }, token);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  };

  it('are read through an index of their expiry and deleted by the tick a day after it, not kept for good', async () => {
    // One ingest token, one new agent id per report, 5,000 a request: every one was a row for good, and the
    // gauge (every tick and throughput read) and the schedule scanned them all.
    for (let i = 0; i < 3; i++) await post(Array.from({ length: 5000 }, (_, j) => `made-up-${i}-${j}`));
    expect(locRows()).toBe(15_000);
    expect(await locNow()).toBe(15_000);
    const plan = s.openTown(s.townId).sql.rows(`EXPLAIN QUERY PLAN ${CURRENT_LOC}`, clock());
    expect(plan.map((row) => row.at(-1)).join('\n')).toMatch(/USING (COVERING )?INDEX loc_expires/);

    clock.skew += DEFAULT_LOC_TTL_MS + MINUTE;
    expect(await locNow()).toBe(0); // expired: no longer counted, still kept (the no-progress rule's window)
    await s.tickTown(s.townId);
    expect(locRows()).toBe(15_000);

    // A day later, with one agent that reports on: the tick deletes the others (PRUNE_BATCH a tick, by the
    // prune clock, which moves an hour a tick), and keeps the live one.
    clock.skew += DAY;
    await post(['polecat-live'], await s.mint(s.townId)); // the first token expired meanwhile
    for (let i = 0; i < 100 && Number(locRows()) > 1; i++) await s.tickTown(s.townId);
    expect(s.openTown(s.townId).sql.rows('SELECT agent_id FROM loc')).toEqual([['polecat-live']]);
    expect(await locNow()).toBe(1);
  });
});
