import { Town } from '@gasgauge/core';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDir } from './data-dir.js';
import { openSqlite } from './sqlite.js';
import { killServers, serveProcess } from './testing/serve-process.js';
import { type HttpResult, request, trpcPath } from './testing/server.js';
import { tempDir, usageRecord } from './testing/temp.js';

/*
 * Tick health is kept in each town's database: `towns.list` shows the last tick's health after the
 * server process restarts (it was lost before), and a healthy tick writes none of it.
 */
afterAll(killServers);

interface Health {
  lastOkAt: number | null;
  failures: number;
  failuresTotal: number;
  lastError: string | null;
}

const data = (r: HttpResult, what: string) => {
  expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBe(200);
  return r.body.result.data;
};

async function eventually<T>(what: string, fn: () => Promise<T | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The town file's saved record (null: never written). */
function savedHealth(dataDir: string, townId: string): unknown {
  const sql = openSqlite(new DataDir(dataDir).townFile(townId));
  try {
    return sql.rows('SELECT tick_health FROM town_state WHERE id = 1')[0]?.[0] ?? null;
  } finally {
    sql.close();
  }
}

describe('tick health across a restart', () => {
  it("shows the last tick's health after the server restarts, and a healthy tick writes nothing", async () => {
    const dataDir = tempDir('gg-tick-health-');
    const first = await serveProcess(dataDir);
    const admin = first.adminToken as string;
    const list = async (url: string) =>
      new Map(
        (data(await request(url, 'GET', trpcPath('towns.list'), admin), 'list') as { id: string; tick: Health }[]).map((t) => [
          t.id,
          t.tick,
        ]),
      );
    const town = async (name: string) => {
      const id = data(await request(first.url, 'POST', '/trpc/towns.create', admin, { name }), 'create').id as string;
      const token = data(await request(first.url, 'POST', '/trpc/towns.mintIngestToken', admin, { townId: id }), 'mint').token;
      return { id, token };
    };
    const healthy = await town('healthy');
    const failing = await town('failing');
    // Every tick of `failing` aborts: a trigger on what its tick writes (the file made and migrated first).
    const file = openSqlite(new DataDir(dataDir).townFile(failing.id));
    try {
      new Town(file, () => Date.now());
      file.run(
        `CREATE TRIGGER test_fault BEFORE UPDATE OF last_tick_at ON town_state BEGIN SELECT RAISE(ABORT, 'injected'); END`,
      );
    } finally {
      file.close();
    }
    for (const t of [healthy, failing]) {
      const r = await request(first.url, 'POST', `/api/towns/${t.id}/usage`, t.token, {
        records: [usageRecord({ id: `u-${t.id}`, at: Date.now(), costMicrodollars: 100 })],
      });
      expect(r.status).toBe(200);
    }
    const before = await eventually('ticks of both towns', async () => {
      const l = await list(first.url);
      const ok = l.get(healthy.id)?.lastOkAt;
      return ok !== null && ok !== undefined && (l.get(failing.id)?.failures ?? 0) >= 3 && l;
    });
    await first.stop();
    const stoppedAt = Date.now();
    expect(savedHealth(dataDir, healthy.id)).toBeNull();
    expect(savedHealth(dataDir, failing.id)).toEqual(expect.stringContaining('"failures":'));

    // A long active interval: the restarted scheduler ticks each town once within it, most likely after this look.
    const second = await serveProcess(dataDir, {}, ['--tick-ms', '60000']);
    const after = await list(second.url);
    const h = before.get(healthy.id) as Health;
    const f = before.get(failing.id) as Health;
    expect(after.get(healthy.id)?.lastOkAt).toBeGreaterThanOrEqual(h.lastOkAt as number);
    expect(after.get(healthy.id)?.lastOkAt).toBeLessThanOrEqual(stoppedAt);
    expect(after.get(healthy.id)).toMatchObject({ failures: 0, failuresTotal: 0, lastError: null });
    expect(after.get(failing.id)).toMatchObject({ lastOkAt: null, lastError: f.lastError });
    expect(after.get(failing.id)?.failures).toBeGreaterThanOrEqual(f.failures);
    expect(after.get(failing.id)?.failuresTotal).toBeGreaterThanOrEqual(f.failuresTotal);
    await second.stop();
  }, 60_000);
});
