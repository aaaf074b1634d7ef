import { existsSync } from 'node:fs';
import { LiveHub, LocalControlStore, LocalTowns, WebhookDelivery } from '@gasgauge/api';
import { Control } from '@gasgauge/core';
import { describe, expect, it } from 'vitest';
import { DataDir } from './data-dir.js';
import { afterTwoTurns } from './defer.js';
import { TickScheduler } from './scheduler.js';
import { openSqlite } from './sqlite.js';
import { startTestServer, type TestServer, trpcPath } from './testing/server.js';
import { tempDir, usageRecord } from './testing/temp.js';
import { FileTownDirectory } from './town-directory.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` holds: ticks are due every 100 ms here, but a loaded machine runs them later. */
async function until(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
const MINUTE = 60_000;

async function lastOkAt(s: TestServer, townId: string): Promise<number | null> {
  const r = await s.get(trpcPath('towns.list'));
  return (r.body.result.data as { id: string; tick: { lastOkAt: number | null } }[]).find((t) => t.id === townId)?.tick
    .lastOkAt as number | null;
}

describe('the tick scheduler and quiet towns', () => {
  it('never opens a town that took no write, and a saved budget wakes a dormant town at once', async () => {
    // The server's day starts at noon UTC: the 11-minute jump below must not cross midnight into a new
    // budget day (a run near 23:50 UTC once did, and saw no crossing).
    const now = Date.now();
    let skew = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate(), 12) - now;
    const s = await startTestServer({ tickMs: 100, clock: () => Date.now() + skew });
    try {
      const file = (id: string) => new DataDir(s.dataDir).townFile(id);
      await sleep(1000); // the scan at start found it without a file, and left it so
      expect(existsSync(file(s.townId))).toBe(false);

      // Spend, then 11 minutes later (idle): the cost is debited, and the town goes dormant.
      const r = await s.post(`/api/towns/${s.townId}/usage`, {
        records: [usageRecord({ id: 'u1', at: Date.now() + skew, costMicrodollars: 900 })],
      });
      expect(r.status).toBe(200);
      await sleep(300);
      skew += 11 * MINUTE;
      await sleep(1000);
      const events = async () =>
        (await s.get(trpcPath('metrics.events', { townId: s.townId }))).body.result.data.events as { type: string }[];
      expect((await events()).filter((e) => e.type === 'budget')).toEqual([]);

      // A cap under what was spent is crossed already: the next tick, within the active interval, says so.
      const saved = await fetch(`${s.url}/trpc/towns.setBudget`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ townId: s.townId, period: 'day', capMicrodollars: 1000 }),
      });
      expect(saved.status).toBe(200);
      const budgetEvents = async () => (await events()).filter((e) => e.type === 'budget');
      await until('the budget event', async () => (await budgetEvents()).length > 0);
      await sleep(500); // more ticks: the crossing is told once
      expect(await budgetEvents()).toHaveLength(1);
      expect(s.logs.filter((l) => l.includes('failed'))).toEqual([]);
    } finally {
      await s.close();
    }
  }, 30_000);

  it('ticks a town created after the start on its first ingest, and a dormant town an hour on', async () => {
    let skew = 0;
    const s = await startTestServer({ tickMs: 100, clock: () => Date.now() + skew });
    try {
      // Created after the start (no scan looks for it): its first ingest puts it in the queue.
      const late = await s.createTown('late');
      const spend = async (townId: string, id: string) => {
        const r = await s.post(
          `/api/towns/${townId}/usage`,
          { records: [usageRecord({ id, at: Date.now() + skew, costMicrodollars: 10 })] },
          await s.mint(townId),
        );
        expect(r.status).toBe(200);
      };
      await spend(late, 'u1');
      // Its tick settles the spend as well, so the next tick after the jump below finds it dormant.
      await until('the late town ticked', async () => (await lastOkAt(s, late)) !== null);

      // Idle past the active window, settled: dormant, so it does not tick for the next hour...
      skew += 11 * MINUTE;
      await until('a tick after the jump', async () => ((await lastOkAt(s, late)) ?? 0) > Date.now() + 10 * MINUTE);
      const dormantAt = (await lastOkAt(s, late)) as number;
      await sleep(500);
      expect(await lastOkAt(s, late)).toBe(dormantAt);

      // ...and ticks within it. (The clock jumps an hour; another town's ingest re-arms the timer, as
      // the timer would have fired by itself had the hour passed.)
      skew += 61 * MINUTE;
      await spend(s.townId, 'u2');
      await until('the dormant town ticked', async () => ((await lastOkAt(s, late)) as number) > dormantAt + 60 * MINUTE);
      expect(s.logs.filter((l) => l.includes('failed'))).toEqual([]);
    } finally {
      await s.close();
    }
  }, 30_000);

  it('ticks on when the clock is set back an hour, without waiting for the hour to come again', async () => {
    let skew = 0;
    const s = await startTestServer({ tickMs: 100, clock: () => Date.now() + skew });
    try {
      const r = await s.post(`/api/towns/${s.townId}/usage`, {
        records: [usageRecord({ id: 'u1', at: Date.now(), costMicrodollars: 10 })],
      });
      expect(r.status).toBe(200);
      await until('a tick', async () => (await lastOkAt(s, s.townId)) !== null);
      skew -= 60 * MINUTE;
      const back = Date.now() + skew;
      // No ingest from here on: nothing but the scheduler's own timer wakes the town.
      await until('a tick after the clock went back', async () => {
        const at = await lastOkAt(s, s.townId);
        return at !== null && at >= back && at < back + MINUTE;
      });
      expect(s.logs.some((l) => l.includes('the clock went back'))).toBe(true);
    } finally {
      await s.close();
    }
  }, 30_000);

  it('lists the towns once, at start, not every few seconds', async () => {
    const dataDir = new DataDir(tempDir('gg-scheduler-'));
    const clock = () => Date.now();
    const sql = openSqlite(dataDir.controlFile);
    // A real control store that counts its full listings.
    let listings = 0;
    const control = new (class extends Control {
      override allTownIds(): string[] {
        listings++;
        return super.allTownIds();
      }
    })(sql, clock);
    const files = new FileTownDirectory(dataDir, clock);
    const scheduler = new TickScheduler({
      control,
      store: new LocalControlStore(control, clock),
      files,
      towns: new LocalTowns((id) => files.get(id), afterTwoTurns),
      clock,
      live: new LiveHub(),
      webhooks: new WebhookDelivery(control, clock, { resolve: async () => [], log: () => {} }),
      intervals: { activeMs: 100, idleMs: MINUTE },
      log: () => {},
    });
    try {
      scheduler.start();
      await sleep(2500);
      expect(listings).toBe(1);
    } finally {
      scheduler.stop();
      files.close();
      sql.close();
    }
  });

  it('keeps a wake that came while the town was ticking (a budget saved mid-tick), not the dormant time after', async () => {
    const dataDir = new DataDir(tempDir('gg-scheduler-'));
    const clock = () => Date.now();
    const sql = openSqlite(dataDir.controlFile);
    const control = new Control(sql, clock);
    control.createUser('u', 'u');
    control.createTown('town_quiet', 'quiet', { userId: 'u' });
    const files = new FileTownDirectory(dataDir, clock);
    files.get('town_quiet'); // a file: the start's scan queues it, and with nothing ever ingested it goes dormant
    const local = new LocalTowns((id) => files.get(id), afterTwoTurns);
    let ticks = 0;
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let ticking = () => {};
    const started = new Promise<void>((resolve) => {
      ticking = resolve;
    });
    // The town's tick waits for the test, so the wake below lands while it runs.
    const towns: typeof local = Object.create(local);
    towns.get = (id) => {
      const handle = local.get(id);
      return Object.assign(Object.create(handle), {
        tick: async () => {
          ticks++;
          ticking();
          await held;
          return handle.tick();
        },
      });
    };
    const scheduler = new TickScheduler({
      control,
      store: new LocalControlStore(control, clock),
      files,
      towns,
      clock,
      live: new LiveHub(),
      webhooks: new WebhookDelivery(control, clock, { resolve: async () => [], log: () => {} }),
      intervals: { activeMs: 100, idleMs: MINUTE, dormantMs: 60 * MINUTE },
      log: () => {},
    });
    try {
      scheduler.start();
      await started;
      expect(ticks).toBe(1);
      scheduler.markActive('town_quiet');
      release();
      // The woken tick: without it the town would next tick at its dormant time, an hour on.
      await until('the tick the wake asked for', async () => ticks >= 2);
    } finally {
      scheduler.stop();
      files.close();
      sql.close();
    }
  });
});
