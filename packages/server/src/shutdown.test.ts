import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killServers, serveProcess } from './testing/serve-process.js';
import { type HttpResult, request } from './testing/server.js';
import { tempDir } from './testing/temp.js';

afterAll(killServers);

const ok = (r: HttpResult, what: string) => {
  expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBe(200);
  return r.body.result.data;
};

async function townCost(url: string, admin: string, townId: string, from: number): Promise<number> {
  const r = await request(
    url,
    'GET',
    `/api/towns/${townId}/metrics/timeseries?from=${from}&to=${Date.now() + 5000}&maxPoints=5000`,
    admin,
  );
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return (r.body.series.cost_microdollars as (number | null)[]).reduce<number>((a, v) => a + (v ?? 0), 0);
}

describe('SIGHUP', () => {
  it('(a closed terminal or ssh session) stops the server as SIGTERM does: exit 0, server.json removed, the log ends "stopped"', async () => {
    const dataDir = tempDir('gg-sighup-');
    const a = await serveProcess(dataDir, {}, ['--log-format', 'json']);
    a.child.kill('SIGHUP');
    expect(await a.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(join(dataDir, 'server.json'))).toBe(false);
    const messages = a.stderr.map((l) => JSON.parse(l) as { msg?: string }).map((l) => l.msg);
    expect(messages).toContain('SIGHUP: shutting down');
    expect(messages.at(-1)).toBe('stopped');
  });
});

describe('SIGTERM during ingest', () => {
  it('exits 0 within 5 s, loses nothing acknowledged, removes server.json, and logged JSON access lines', async () => {
    const from = Date.now() - 60_000;
    const dataDir = tempDir('gg-shutdown-');
    const a = await serveProcess(dataDir, {}, ['--log-format', 'json', '--access-log', 'on']);
    const admin = a.adminToken as string;
    const townId = ok(await request(a.url, 'POST', '/trpc/towns.create', admin, { name: 'Shutdown' }), 'create').id as string;
    const token = ok(await request(a.url, 'POST', '/trpc/towns.mintIngestToken', admin, { townId }), 'mint').token as string;

    // Four clients post until the server stops answering; each record costs a distinct amount.
    let sent = 0;
    let acked = 0;
    let n = 0;
    const client = async () => {
      for (;;) {
        const cost = ++n;
        sent += cost;
        const record = {
          id: `r${cost}`,
          agentId: 'a',
          model: 'm',
          mode: 'delta',
          inputTokens: 1,
          outputTokens: 0,
          costMicrodollars: cost,
          at: Date.now(),
        };
        try {
          if ((await request(a.url, 'POST', `/api/towns/${townId}/usage`, token, { records: [record] })).status === 200)
            acked += cost;
        } catch {
          return; // connection refused or reset: the server is going away
        }
      }
    };
    const clients = Promise.all([client(), client(), client(), client()]);
    // Signalled mid-ingest: once answers are coming, however slowly the machine gives them.
    while (acked === 0) await new Promise((r) => setTimeout(r, 20));
    const ackedBeforeSignal = acked;
    const signalled = Date.now();
    a.child.kill('SIGTERM');
    expect(await a.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(5000);
    await clients;
    expect(ackedBeforeSignal).toBeGreaterThan(0);
    expect(existsSync(join(dataDir, 'server.json'))).toBe(false);

    const lines = a.stderr.map((l) => JSON.parse(l) as Record<string, unknown>);
    // The log says the stop was asked for and done: a crash would end it without these.
    const messages = lines.filter((l) => l.kind === 'message').map((l) => l.msg);
    expect(messages).toContain('SIGTERM: shutting down');
    expect(messages.at(-1)).toBe('stopped');
    const access = lines.filter((l) => l.kind === 'access');
    expect(access).toContainEqual({
      t: expect.any(Number),
      kind: 'access',
      requestId: expect.stringMatching(/^[0-9a-f]{16}$/),
      method: 'POST',
      route: '/api/towns/:townId/usage',
      status: 200,
      durationMs: expect.any(Number),
      town: townId,
    });

    const b = await serveProcess(dataDir);
    const total = await townCost(b.url, admin, townId, from);
    expect(total).toBeGreaterThanOrEqual(acked); // every acknowledged record
    expect(total).toBeLessThanOrEqual(sent); // and none twice (a request cut off mid-way may have committed unanswered)
    b.child.kill('SIGTERM');
    expect(await b.exited).toEqual({ code: 0, signal: null });
  });
});
