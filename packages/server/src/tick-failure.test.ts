import { Town } from '@gasgauge/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataDir } from './data-dir.js';
import { openSqlite } from './sqlite.js';
import { startTestServer, type TestServer, trpcPath } from './testing/server.js';

/*
 * One town's failing tick or settle must not stop anyone's billing, nor its own once the cause is
 * gone. The faults are real: a trigger in the town's file makes its tick's transaction abort, and a
 * trigger in the control file makes the settle of one town's debits abort.
 */

const TICK_MS = 100;
const offset = { ms: 0 };

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ tickMs: TICK_MS, clock: () => Date.now() + offset.ms });
});
afterAll(async () => {
  await s?.close();
});

async function eventually<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Health {
  lastOkAt: number | null;
  failures: number;
  failuresTotal: number;
  lastError: string | null;
  lastErrorAt: number | null;
  retryAt: number | null;
}

async function health(townId: string): Promise<Health> {
  const r = await s.get(trpcPath('towns.list'));
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return (r.body.result.data as { id: string; tick: Health }[]).find((t) => t.id === townId)?.tick as Health;
}

/** The town's tick failures as its Prometheus scrape says them. */
async function scrapeTicks(townId: string): Promise<{ consecutive: number; total: number }> {
  const r = await s.get(`/api/towns/${townId}/metrics/prometheus`);
  expect(r.status).toBe(200);
  const text = String(r.body);
  const value = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
  return { consecutive: value('gasgauge_tick_consecutive_failures'), total: value('gasgauge_tick_failures_total') };
}

/** Debits per town, oldest first. */
async function debits(): Promise<Record<string, number[]>> {
  const r = await s.get(trpcPath('billing.ledger', { limit: 500 }));
  const out: Record<string, number[]> = {};
  for (const e of (r.body.result.data.entries as { kind: string; townId: string; amountMicrodollars: number }[]).reverse()) {
    if (e.kind === 'debit') out[e.townId] = [...(out[e.townId] ?? []), -e.amountMicrodollars];
  }
  return out;
}

let n = 0;
async function spend(townId: string, cost: number): Promise<void> {
  const token = await s.mint(townId);
  const record = { id: `r${n++}`, agentId: 'a', model: 'm', inputTokens: 1, outputTokens: 1, costMicrodollars: cost };
  const r = await s.post(`/api/towns/${townId}/usage`, { records: [{ ...record, at: Date.now() + offset.ms }] }, token);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

/** Runs `sql` on a town's or the control store's file, beside the running server (WAL allows it). */
function onFile(file: string, sql: string, migrateTown = false): void {
  const db = openSqlite(file);
  try {
    if (migrateTown) new Town(db, () => Date.now());
    db.run(sql);
  } finally {
    db.close();
  }
}

/** Moves the clock to the next billing minute: a town closes new cost into debits at most once a minute. */
function nextMinute(): void {
  offset.ms += 60_000;
}

describe('a failing town', () => {
  it('keeps failing alone while others bill, retries with backoff, and bills exactly once when the cause is gone', async () => {
    const dir = new DataDir(s.dataDir);
    const bad = await s.createTown('bad');
    const good = await s.createTown('good');
    // Every tick of `bad` aborts: the tick's transaction records last_tick_at.
    onFile(
      dir.townFile(bad),
      `CREATE TRIGGER test_fault BEFORE UPDATE OF last_tick_at ON town_state BEGIN SELECT RAISE(ABORT, 'injected tick fault'); END`,
      true,
    );
    await spend(bad, 1000);
    await spend(good, 2000);

    const failing = await eventually('three failed ticks', async () => {
      const h = await health(bad);
      return h.failures >= 3 && h;
    });
    expect(failing.lastError).toBe('internal error (the server log has the details)');
    // Prometheus says it too, for an operator's alert (a full disk fails every town's tick alike).
    const failures = await scrapeTicks(bad);
    expect(failures.consecutive).toBeGreaterThanOrEqual(3);
    expect(failures.total).toBeGreaterThanOrEqual(failures.consecutive);
    expect(failing.failuresTotal).toBeGreaterThanOrEqual(3);
    // Backoff: the active interval doubled per failure in a row.
    expect((failing.retryAt as number) - (failing.lastErrorAt as number)).toBe(TICK_MS * 2 ** (failing.failures - 1));
    expect(s.logs.some((l) => l.includes(`tick of ${bad} failed`) && l.includes('injected tick fault'))).toBe(true);
    expect(await debits()).toMatchObject({ [good]: [2000] });
    expect((await debits())[bad]).toBeUndefined();

    // The good town bills on, minute after minute.
    nextMinute();
    await spend(good, 500);
    await eventually('the good town billed again', async () => (await debits())[good]?.length === 2);
    expect((await health(good)).failures).toBe(0);

    // The cause goes: the bad town's next retry bills its spend, once.
    onFile(dir.townFile(bad), 'DROP TRIGGER test_fault');
    await eventually('the bad town billed', async () => (await debits())[bad]);
    const healed = await eventually('a clean tick', async () => {
      const h = await health(bad);
      return h.failures === 0 && h;
    });
    expect(healed).toMatchObject({ lastError: null, retryAt: null, lastOkAt: expect.any(Number) });
    expect(await scrapeTicks(bad)).toMatchObject({ consecutive: 0, total: expect.any(Number) });
    // The log said each failure; it says their end too, once (an operator reading it knows the town ticks again).
    const again = s.logs.filter((l) => l.startsWith(`tick of ${bad} ok again`));
    expect(again).toHaveLength(1);
    const [, count] = /^tick of \S+ ok again after (\d+) failures in a row$/.exec(again[0] as string) ?? [];
    expect(Number(count)).toBeGreaterThanOrEqual(failing.failures);
    nextMinute();
    await new Promise((r) => setTimeout(r, 5 * TICK_MS));
    expect(await debits()).toMatchObject({ [bad]: [1000], [good]: [2000, 500] });
  });

  it('whose settle fails keeps its debits in its outbox and posts them once when the cause is gone', async () => {
    const dir = new DataDir(s.dataDir);
    const town = await s.createTown('unsettled');
    const other = await s.createTown('other');
    onFile(
      dir.controlFile,
      `CREATE TRIGGER test_fault BEFORE INSERT ON ledger WHEN NEW.town_id = '${town}' BEGIN SELECT RAISE(ABORT, 'injected settle fault'); END`,
    );
    nextMinute();
    await spend(town, 700);
    await spend(other, 300);
    await eventually('failed settles', async () => (await health(town)).failures >= 2);
    await eventually('the other town billed', async () => (await debits())[other]);
    expect((await debits())[town]).toBeUndefined();
    // Meanwhile the town spends more; its tick closes it into the outbox beside the first.
    nextMinute();
    await spend(town, 50);
    await new Promise((r) => setTimeout(r, 5 * TICK_MS));

    onFile(dir.controlFile, 'DROP TRIGGER test_fault');
    await eventually('the town billed', async () => (await debits())[town]);
    await eventually('a clean tick', async () => (await health(town)).failures === 0);
    nextMinute();
    await new Promise((r) => setTimeout(r, 5 * TICK_MS));
    // One hour of spend, posted as running totals: exactly 750 in all, whatever the split.
    expect((await debits())[town]?.reduce((a, b) => a + b, 0)).toBe(750);
    expect((await debits())[other]).toEqual([300]);
  });

  it('keeps retrying, and towns.list keeps answering, when its tick health cannot be saved', async () => {
    const dir = new DataDir(s.dataDir);
    const town = await s.createTown('unsaved');
    onFile(
      dir.townFile(town),
      `CREATE TRIGGER test_fault BEFORE UPDATE OF last_tick_at ON town_state BEGIN SELECT RAISE(ABORT, 'injected tick fault'); END`,
      true,
    );
    onFile(
      dir.townFile(town),
      `CREATE TRIGGER test_fault_health BEFORE UPDATE OF tick_health ON town_state BEGIN SELECT RAISE(ABORT, 'injected save fault'); END`,
    );
    await spend(town, 100);
    // Every failure's record fails to save, yet the town stays in the queue and is retried with backoff.
    const failing = await eventually('three failed ticks', async () => {
      const h = await health(town);
      return h.failures >= 3 && h;
    });
    expect(failing.failuresTotal).toBeGreaterThanOrEqual(3);
    expect(s.logs.some((l) => l.includes(`tick health of ${town} not saved`) && l.includes('injected save fault'))).toBe(true);
    onFile(dir.townFile(town), 'DROP TRIGGER test_fault');
    onFile(dir.townFile(town), 'DROP TRIGGER test_fault_health');
    await eventually('a clean tick', async () => (await health(town)).failures === 0);
  });
});
