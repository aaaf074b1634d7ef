import { existsSync } from 'node:fs';
import type { AccessEntry } from '@gasgauge/api';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from './cli/main.js';
import { accessLogOn } from './cli/serve.js';
import { DataDir } from './data-dir.js';
import { listenUrl } from './serve.js';
import { startTestServer, type TestServer, trpcPath } from './testing/server.js';
import { usageRecord } from './testing/temp.js';

const servers: TestServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});
async function server(opts: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const s = await startTestServer(opts);
  servers.push(s);
  return s;
}

async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('access log and request ids', () => {
  const entries: AccessEntry[] = [];
  let s: TestServer;
  beforeAll(async () => {
    s = await server({ accessLog: (e) => entries.push(e) });
  });
  const last = () => entries.at(-1) as AccessEntry;

  it('logs the route pattern, status, duration and town, and keeps a sane X-Request-Id from the proxy', async () => {
    const res = await fetch(`${s.url}/api/towns/${s.townId}/usage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.ingestToken}`, 'content-type': 'application/json', 'x-request-id': 'proxy-42' },
      body: JSON.stringify({ records: [usageRecord({ id: 'r1', at: Date.now(), costMicrodollars: 5 })] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('proxy-42');
    expect(last()).toEqual({
      requestId: 'proxy-42',
      method: 'POST',
      route: '/api/towns/:townId/usage',
      status: 200,
      durationMs: expect.any(Number),
      town: s.townId,
    });
  });

  it('makes its own id for a request without one or with one that is not sane, and logs 4xx and tRPC', async () => {
    const res = await fetch(`${s.url}/api/towns/${s.townId}/metrics/throughput`, { headers: { 'x-request-id': 'x'.repeat(65) } });
    expect(res.status).toBe(401);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f]{16}$/);
    expect(last()).toMatchObject({ requestId: res.headers.get('x-request-id'), status: 401, town: s.townId });

    // tRPC builds its own Response: the id is added to it afterwards.
    const trpc = await fetch(s.url + trpcPath('towns.list'), { headers: { authorization: `Bearer ${s.adminToken}` } });
    expect(trpc.status).toBe(200);
    expect(trpc.headers.get('x-request-id')).toMatch(/^[0-9a-f]{16}$/);
    expect(last()).toMatchObject({
      requestId: trpc.headers.get('x-request-id'),
      method: 'GET',
      route: '/trpc/towns.list',
      status: 200,
    });
    expect(last().town).toBeUndefined();

    expect((await s.get('/api/nothing/here?token=secret')).status).toBe(404);
    expect(JSON.stringify(last())).not.toContain('secret');
  });
});

describe('GET /healthz and /readyz', () => {
  it('answers without credentials: healthy, and ready once the scheduler ticked every town', async () => {
    const s = await server({ tickMs: 60_000 });
    const health = await fetch(`${s.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    const ready = await waitFor(
      async () => {
        const r = await fetch(`${s.url}/readyz`);
        return { status: r.status, body: await r.json() };
      },
      (r) => r.status === 200,
    );
    expect(ready).toEqual({
      status: 200,
      body: {
        ready: true,
        checks: {
          control: 'ok',
          scheduler: 'running',
          towns: expect.any(Number),
          overdueTowns: 0,
          maxTickLagMs: expect.any(Number),
          maxLagMs: 180_000,
        },
      },
    });
  });

  it('is 503 while the scheduler does not run', async () => {
    const s = await server({ autoTick: false });
    const r = await fetch(`${s.url}/readyz`);
    expect(r.status).toBe(503);
    expect(await r.json()).toMatchObject({ ready: false, checks: { control: 'ok', scheduler: 'stopped' } });
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
  });
});

describe('--public-url behind a reverse proxy', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await server({ publicUrl: 'https://gauge.example' });
  });
  const login = (origin: string) =>
    fetch(`${s.url}/auth/login`, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: s.adminToken }),
      redirect: 'manual',
    });

  it('accepts the public origin, sets Secure cookies, and still refuses other origins', async () => {
    const ok = await login('https://gauge.example');
    expect(ok.status).toBe(303);
    expect(ok.headers.get('set-cookie')).toMatch(/^gg_session=.*; Secure/);
    expect((await login('https://evil.example')).status).toBe(403);
    expect((await login('http://gauge.example')).status).toBe(403);
  });

  it('makes gasgauge login-link print links on the public URL', async () => {
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => lines.push(line));
    try {
      expect(await main(['login-link', '--user', 'admin', '--data', s.dataDir])).toBe(0);
    } finally {
      log.mockRestore();
    }
    expect(lines.join('\n')).toMatch(/^https:\/\/gauge\.example\/auth\/link\?code=ggl_/);
  });

  it('records an address this machine can open: a wildcard host becomes loopback', () => {
    expect(listenUrl('0.0.0.0', 8787)).toBe('http://127.0.0.1:8787');
    expect(listenUrl('::', 8787)).toBe('http://[::1]:8787');
    expect(listenUrl('192.168.1.5', 80)).toBe('http://192.168.1.5:80');
    expect(listenUrl('::1', 1)).toBe('http://[::1]:1');
  });

  it('records the listen address in DATA/server.json while running and removes it on a clean close', async () => {
    const t = await startTestServer();
    const file = new DataDir(t.dataDir).serverFile;
    expect(new DataDir(t.dataDir).serverUrl()).toBe(t.url);
    await t.close();
    expect(existsSync(file)).toBe(false);
  });
});

describe('gasgauge serve --access-log', () => {
  it('is on by default, off by default with --demo, and on or off when said', () => {
    expect([accessLogOn(undefined, false), accessLogOn(undefined, true)]).toEqual([true, false]);
    expect([accessLogOn('on', true), accessLogOn('off', false)]).toEqual([true, false]);
  });
});

describe('gasgauge serve refuses bad operations flags', () => {
  it.each([
    ['--public-url', 'ftp://gauge.example', /--public-url must be .*, not "ftp:\/\/gauge.example"/],
    ['--public-url', 'https://gauge.example/prefix', /no path.*, not "https:\/\/gauge.example\/prefix"/],
    ['--log-format', 'xml', /--log-format must be pretty or json, not "xml"/],
    ['--access-log', 'maybe', /--access-log must be on or off, not "maybe"/],
    ['--tick-ms', '49', /--tick-ms must be from 50 to 60000, not "49"/],
  ])('%s %s (named as given)', async (flag, value, message) => {
    const errors: string[] = [];
    const err = vi.spyOn(console, 'error').mockImplementation((line: string) => errors.push(line));
    try {
      expect(await main(['serve', flag, value, '--port', '0'])).toBe(2);
    } finally {
      err.mockRestore();
    }
    expect(errors.join('\n')).toMatch(message);
  });
});
