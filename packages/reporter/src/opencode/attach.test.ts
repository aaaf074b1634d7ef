import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentMap } from '../agents.js';
import { Store } from '../outbox/store.js';
import { fakeOpencode } from '../testing/opencode-serve.js';
import { waitFor } from '../testing/processes.js';
import { removeDir, tempDir } from '../testing/server.js';
import type { UsageRecord } from '../wire.js';
import { attachCredentials, attachOpencode, opencodeCredentials } from './attach.js';
import { OpencodeDiskSource } from './disk.js';
import { OpencodePrices } from './prices.js';

describe('attached to a live OpenCode server', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) removeDir(d);
  });

  for (const globalEvents of [true, false]) {
    it(`${globalEvents ? '/global/event' : '/event (no /global/event)'}: a disconnect in the middle loses and doubles nothing (caught up from disk)`, async () => {
      const dir = tempDir('gg-opencode-live-');
      dirs.push(dir);
      const data = join(dir, 'opencode');
      mkdirSync(data, { recursive: true });
      const fake = fakeOpencode(data, { globalEvents, password: 's3cret' });
      await new Promise<void>((r) => fake.server.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
      const store = new Store(join(dir, 'state'));
      const source = new OpencodeDiskSource({
        store,
        dirs: [data],
        agents: new AgentMap({ paths: [{ path: '/work/alpha', agentId: 'alpha' }] }),
        prices: OpencodePrices.load(),
      });
      const records = () =>
        (store.sql.prepare("SELECT body FROM outbox WHERE kind = 'usage' ORDER BY id").pluck().all() as string[]).map(
          (b) => JSON.parse(b) as UsageRecord,
        );
      const abort = new AbortController();
      const stats = { connects: 0, events: 0, skipped: 0 };
      const attached = attachOpencode(
        {
          url,
          credentials: [{ username: 'opencode', password: 's3cret' }],
          signal: abort.signal,
          onEvent: (e) => source.live(e),
          onConnect: () => source.poll(),
          backoff: { baseMs: 50, maxMs: 200 },
        },
        stats,
      );
      try {
        fake.message('msg_0', 5); // Before the reporter attached: only on disk.
        await waitFor('the subscription', () => (fake.connected === 1 ? true : undefined), 5000);
        fake.message('msg_1', 10);
        fake.message('msg_1', 20);
        await waitFor('two records', () => (records().length === 2 ? true : undefined), 5000);
        expect(records()).toMatchObject([
          { id: 'msg_0', outputTokens: 5 },
          { id: 'msg_1', outputTokens: 20 },
        ]);

        fake.drop();
        await waitFor('the disconnect', () => (fake.connected === 0 ? true : undefined), 5000);
        // While disconnected: a message grows and a new one runs; no subscriber hears them.
        fake.message('msg_1', 30);
        fake.message('msg_2', 40);
        fake.up();
        await waitFor('the reconnect', () => (stats.connects === 2 && fake.connected === 1 ? true : undefined), 5000);
        fake.message('msg_3', 50);
        await waitFor('four records', () => (records().length === 4 ? true : undefined), 5000);
        expect(records().map((r) => [r.id, r.outputTokens, r.costMicrodollars, r.agentId])).toEqual([
          ['msg_0', 5, 5, 'unknown'],
          ['msg_1', 30, 30, globalEvents ? 'alpha' : 'unknown'],
          ['msg_2', 40, 40, globalEvents ? 'alpha' : 'unknown'],
          ['msg_3', 50, 50, globalEvents ? 'alpha' : 'unknown'],
        ]);
        expect(stats.skipped).toBe(0);
        if (!globalEvents) expect(fake.requests.filter((u) => u === '/global/event')).toHaveLength(1);
      } finally {
        abort.abort();
        await attached;
        source.close();
        store.close();
        await fake.close();
      }
    }, 30_000);
  }
});

/*
 * A server, or a proxy in front of it, that keeps the connection open and sends nothing more: without
 * an inactivity timeout the reporter would wait on it for good, never reconnecting nor catching up.
 */
describe('an event stream that goes silent', () => {
  /**
   * Answers every subscription with OpenCode's first event, then sends a heartbeat every `heartbeatMs`
   * (or nothing); or, `'no answer'`, takes the request and never answers it at all.
   */
  async function server(heartbeatMs: number | null | 'no answer') {
    const requests: number[] = [];
    const s = createServer((_req, res) => {
      requests.push(performance.now());
      if (heartbeatMs === 'no answer') return;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ payload: { type: 'server.connected', properties: {} } })}\n\n`);
      if (heartbeatMs === null) return;
      const beat = setInterval(
        () => res.write(`data: ${JSON.stringify({ payload: { type: 'server.heartbeat', properties: {} } })}\n\n`),
        heartbeatMs,
      );
      res.on('close', () => clearInterval(beat));
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return {
      url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
      requests,
      close: () => {
        s.closeAllConnections();
        return new Promise((r) => s.close(r));
      },
    };
  }

  async function attachFor(url: string, ms: number) {
    const abort = new AbortController();
    const stats = { connects: 0, events: 0, skipped: 0 };
    const catchUps: number[] = [];
    const logs: string[] = [];
    const attached = attachOpencode(
      {
        url,
        signal: abort.signal,
        onEvent: () => {},
        onConnect: () => void catchUps.push(performance.now()),
        backoff: { baseMs: 50, maxMs: 200 },
        inactivityTimeoutMs: 300,
        log: (l) => logs.push(l),
      },
      stats,
    );
    await new Promise((r) => setTimeout(r, ms));
    abort.abort();
    await attached;
    return { stats, catchUps, logs };
  }

  it('drops a connection that brings nothing for the inactivity timeout, reconnects and catches up each time', async () => {
    const silent = await server(null);
    try {
      const { stats, catchUps, logs } = await attachFor(silent.url, 2000);
      // 300 ms of silence, then 50 ms of backoff: 5 connections in 2 s, at least 3 on a loaded machine.
      expect(stats.connects).toBeGreaterThanOrEqual(3);
      expect(catchUps).toHaveLength(stats.connects);
      // The abort can fall between a request reaching the server and its answer reaching the reporter: one more
      // request than connections then, never fewer and never two more.
      expect(silent.requests.length - stats.connects).toBeGreaterThanOrEqual(0);
      expect(silent.requests.length - stats.connects).toBeLessThanOrEqual(1);
      for (let i = 1; i < catchUps.length; i++) {
        const gap = (catchUps[i] as number) - (catchUps[i - 1] as number);
        expect(gap).toBeGreaterThanOrEqual(290);
        expect(gap).toBeLessThan(1000);
      }
      expect(logs[0]).toBe(`opencode ${silent.url}: nothing received for 0.3 s; reconnecting`);
    } finally {
      await silent.close();
    }
  });

  it('gives up on a request whose answer never starts, and asks again', async () => {
    const mute = await server('no answer');
    try {
      const { stats, logs } = await attachFor(mute.url, 2000);
      expect(stats.connects).toBe(0);
      expect(mute.requests.length).toBeGreaterThanOrEqual(3);
      expect(logs[0]).toBe(`opencode ${mute.url}: nothing received for 0.3 s; reconnecting`);
    } finally {
      await mute.close();
    }
  });

  it('says why it cannot connect, not only "fetch failed": nothing listens at --opencode', async () => {
    const gone = await server(null);
    await gone.close(); // a port nothing listens on
    const { stats, logs } = await attachFor(gone.url, 300);
    expect(stats.connects).toBe(0);
    expect(logs[0]).toBe(
      `opencode ${gone.url}: fetch failed (ECONNREFUSED: nothing listens there: is opencode serve (or kilo serve) running, and is --opencode right?); reconnecting`,
    );
  });

  it('catches up from disk what a server that went silent never sent', async () => {
    const dir = tempDir('gg-opencode-silent-');
    const data = join(dir, 'opencode');
    mkdirSync(data, { recursive: true });
    const fake = fakeOpencode(data, { globalEvents: true, password: 's3cret' });
    await new Promise<void>((r) => fake.server.listen(0, '127.0.0.1', r));
    const store = new Store(join(dir, 'state'));
    const source = new OpencodeDiskSource({
      store,
      dirs: [data],
      agents: new AgentMap({ paths: [] }),
      prices: OpencodePrices.load(),
    });
    const outputs = () =>
      (store.sql.prepare("SELECT body FROM outbox WHERE kind = 'usage' ORDER BY id").pluck().all() as string[]).map(
        (b) => (JSON.parse(b) as UsageRecord).outputTokens,
      );
    const abort = new AbortController();
    const attached = attachOpencode({
      url: `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`,
      credentials: [{ username: 'opencode', password: 's3cret' }],
      signal: abort.signal,
      onEvent: (e) => source.live(e),
      onConnect: () => source.poll(),
      backoff: { baseMs: 50, maxMs: 200 },
      inactivityTimeoutMs: 500,
    });
    try {
      await waitFor('the subscription', () => (fake.connected === 1 ? true : undefined), 5000);
      fake.message('msg_1', 10);
      await waitFor('the live record', () => (outputs().length === 1 ? true : undefined), 5000);
      fake.mute();
      fake.message('msg_1', 20); // on disk only: the subscription hears nothing
      const muted = performance.now();
      await waitFor('the catch-up', () => (outputs().at(-1) === 20 ? true : undefined), 5000);
      const took = performance.now() - muted;
      expect(took).toBeGreaterThanOrEqual(400);
      expect(took).toBeLessThan(2000);
    } finally {
      abort.abort();
      await attached;
      source.close();
      store.close();
      await fake.close();
      removeDir(dir);
    }
  });

  it('keeps a connection whose server sends heartbeats more often than the timeout', async () => {
    const beating = await server(100);
    try {
      const { stats, logs } = await attachFor(beating.url, 1500);
      expect(stats.connects).toBe(1);
      expect(stats.events).toBeGreaterThanOrEqual(10);
      expect(logs).toEqual([]);
    } finally {
      await beating.close();
    }
  });

  describe('basic auth of opencode serve and kilo serve (kilo 7.7.7 asks for user kilo with KILO_SERVER_PASSWORD)', () => {
    const dirs: string[] = [];
    afterAll(() => {
      for (const d of dirs) removeDir(d);
    });
    async function attachTo(
      fakeUser: string,
      opts: { url?: (port: number) => string; credentials?: { username: string; password: string }[] },
    ) {
      const dir = tempDir('gg-opencode-auth-');
      dirs.push(dir);
      const data = join(dir, 'kilo');
      mkdirSync(data, { recursive: true });
      const fake = fakeOpencode(data, { globalEvents: true, password: 's3cret', username: fakeUser });
      await new Promise<void>((r) => fake.server.listen(0, '127.0.0.1', r));
      const port = (fake.server.address() as AddressInfo).port;
      const abort = new AbortController();
      const events: unknown[] = [];
      const logs: string[] = [];
      const attached = attachOpencode({
        url: opts.url?.(port) ?? `http://127.0.0.1:${port}`,
        credentials: opts.credentials,
        signal: abort.signal,
        onEvent: (e) => events.push(e),
        log: (l) => logs.push(l),
        backoff: { baseMs: 50, maxMs: 100 },
      });
      return {
        fake,
        events,
        logs,
        async close() {
          abort.abort();
          await attached;
          await fake.close();
        },
      };
    }

    it('reaches a kilo serve with KILO_SERVER_PASSWORD, and an opencode serve with OPENCODE_SERVER_USERNAME', async () => {
      for (const [user, env] of [
        ['kilo', { KILO_SERVER_PASSWORD: 's3cret' }],
        ['kilo', { OPENCODE_SERVER_PASSWORD: 's3cret' }], // one password for both servers
        ['opencode', { KILO_SERVER_PASSWORD: 'other', OPENCODE_SERVER_PASSWORD: 's3cret' }],
        ['alice', { OPENCODE_SERVER_USERNAME: 'alice', OPENCODE_SERVER_PASSWORD: 's3cret' }],
        ['bob', { KILO_SERVER_USERNAME: 'bob', KILO_SERVER_PASSWORD: 's3cret' }],
      ] as const) {
        const a = await attachTo(user, { credentials: opencodeCredentials(env) });
        try {
          await waitFor(`the subscription as ${user}`, () => (a.fake.connected === 1 ? true : undefined), 5000);
          a.fake.message('msg_1', 10);
          await waitFor('the event', () => (a.events.length === 1 ? true : undefined), 5000);
        } finally {
          await a.close();
        }
      }
    });

    it("reads a URL's user and password percent-decoded, and a % that escapes nothing as itself (it threw)", () => {
      expect(attachCredentials({ url: 'http://kilo:p%40ss@127.0.0.1:4096' })).toEqual({
        url: 'http://127.0.0.1:4096/',
        credentials: [{ username: 'kilo', password: 'p@ss' }],
      });
      expect(attachCredentials({ url: 'http://ki%zlo:pa%zz@127.0.0.1:4096' }).credentials).toEqual([
        { username: 'ki%zlo', password: 'pa%zz' },
      ]);
    });

    it('takes the user and password from the URL, and never logs the password', async () => {
      const a = await attachTo('kilo', { url: (port) => `http://kilo:s3cret@127.0.0.1:${port}` });
      try {
        await waitFor('the subscription', () => (a.fake.connected === 1 ? true : undefined), 5000);
      } finally {
        await a.close();
      }
      const b = await attachTo('kilo', { credentials: opencodeCredentials({ OPENCODE_SERVER_PASSWORD: 'wrong' }) });
      try {
        await waitFor('a refusal', () => (b.logs.length >= 2 ? true : undefined), 5000);
        expect(b.logs[0]).toMatch(
          /^opencode http:\/\/127\.0\.0\.1:\d+: HTTP 401 \(refused the password as user opencode, kilo: set OPENCODE_SERVER_PASSWORD for opencode serve, KILO_SERVER_PASSWORD for kilo serve\); reconnecting$/,
        );
      } finally {
        await b.close();
      }
      const c = await attachTo('kilo', { url: (port) => `http://kilo:wrong@127.0.0.1:${port}` });
      try {
        await waitFor('a refusal', () => (c.logs.length >= 1 ? true : undefined), 5000);
        expect(c.logs.join('\n')).not.toContain('wrong');
      } finally {
        await c.close();
      }
    });
  });
});
