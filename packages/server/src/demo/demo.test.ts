import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../serve.js';
import { tempDir } from '../testing/temp.js';

async function get(s: RunningServer, path: string): Promise<{ status: number; body: unknown }> {
  const r = await fetch(s.url + path, { headers: { authorization: `Bearer ${s.adminToken}` } });
  return { status: r.status, body: await r.json() };
}

describe('gasgauge serve --demo', () => {
  let demo: RunningServer;
  let plain: RunningServer;
  /** The demo's clock runs with the wall clock, and jumps when a test needs the next billing minute. */
  let skew = 0;
  beforeAll(async () => {
    demo = await startServer({
      dataDir: tempDir('gg-demo-'),
      port: 0,
      host: '127.0.0.1',
      tickMs: 200,
      clock: () => Date.now() + skew,
      demo: true,
      log: () => {},
    });
    plain = await startServer({ dataDir: tempDir('gg-plain-'), port: 0, host: '127.0.0.1', tickMs: 200, log: () => {} });
  });
  afterAll(async () => {
    await demo?.close();
    await plain?.close();
  });

  it('creates a demo town whose gauges move within seconds, from a fleet posting to the ingest API', async () => {
    const info = demo.demo;
    if (!info) throw new Error('no demo');
    await info.ready;
    const towns = (await get(demo, '/api/towns')).body as { id: string; name: string }[];
    expect(towns).toEqual([expect.objectContaining({ id: info.townId, name: 'Demo Town' })]);
    await expect
      .poll(
        async () =>
          ((await get(demo, `/api/towns/${info.townId}/metrics/throughput`)).body as { agentsTotal: number }).agentsTotal,
        {
          timeout: 5000,
        },
      )
      .toBe(8);
    const t = (await get(demo, `/api/towns/${info.townId}/metrics/throughput`)).body as {
      tokensPerSecond: number;
      dataAgeMs: number;
    };
    expect(t.tokensPerSecond).toBeGreaterThan(0);
    expect(t.dataAgeMs).toBeLessThan(5000);
  });

  it('fills the gas tank: the history is paid for and at most $500 is left, burning', async () => {
    const info = demo.demo;
    if (!info) throw new Error('no demo');
    await info.ready;
    skew += 60_000; // a town closes its cost into debits once a minute
    await demo.tickTown(info.townId);
    const tank = (await get(demo, '/api/balance')).body as { balanceMicrodollars: number; burn24hMicrodollarsPerHour: number };
    expect(tank.balanceMicrodollars).toBeLessThanOrEqual(500_000_000);
    expect(tank.balanceMicrodollars).toBeGreaterThan(450_000_000);
    expect(tank.burn24hMicrodollarsPerHour).toBeGreaterThan(0);
  });

  it('prints a one-time login link that opens the sign-in page', async () => {
    const url = demo.demo?.loginUrl ?? '';
    expect(url).toMatch(new RegExp(`^${demo.url}/auth/link\\?code=ggl_`));
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('action="/auth/link"');
  });

  it('makes nothing up without --demo', async () => {
    expect(plain.demo).toBeUndefined();
    expect((await get(plain, '/api/towns')).body).toEqual([]);
    expect((await get(plain, '/api/balance')).body).toMatchObject({ balanceMicrodollars: 0, secondsToEmpty: null });
  });
});
