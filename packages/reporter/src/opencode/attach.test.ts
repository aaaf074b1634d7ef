import { mkdirSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentMap } from '../agents.js';
import { Store } from '../outbox/store.js';
import { openWriter } from '../testing/opencode-stores.js';
import { waitFor } from '../testing/processes.js';
import { removeDir, tempDir } from '../testing/server.js';
import type { UsageRecord } from '../wire.js';
import { attachOpencode } from './attach.js';
import { OpencodeDiskSource } from './disk.js';
import { OpencodePrices } from './prices.js';

/**
 * A stand-in for `opencode serve` (no OpenCode binary can run here): a loopback HTTP server that
 * speaks OpenCode's server-sent events (`/global/event`, or only `/event` like older servers), asks
 * for basic auth, and writes every message to an OpenCode store on disk as the real server does.
 */
function fakeOpencode(dataDir: string, opts: { globalEvents: boolean; password: string }) {
  const writer = openWriter(join(dataDir, 'opencode.db'));
  const upsert = writer.prepare(
    'INSERT INTO message VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data, time_updated = excluded.time_updated',
  );
  const clients = new Set<ServerResponse>();
  const requests: string[] = [];
  let down = false;
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (down) return void res.writeHead(503).end();
    const want = `Basic ${Buffer.from(`opencode:${opts.password}`).toString('base64')}`;
    if (req.headers.authorization !== want) return void res.writeHead(401).end();
    if (req.url !== (opts.globalEvents ? '/global/event' : '/event')) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(': connected\n\n');
    clients.add(res);
    res.on('close', () => clients.delete(res));
  });
  let clock = 1_780_000_000_000;
  return {
    server,
    requests,
    get connected() {
      return clients.size;
    },
    /** OpenCode updates a message: into its store, and to every subscriber. */
    message(id: string, output: number) {
      clock += 1000;
      const info = {
        id,
        sessionID: 'ses_1',
        role: 'assistant',
        modelID: 'claude-sonnet-4-5',
        providerID: 'anthropic',
        time: { created: clock },
        tokens: { input: 100, output, reasoning: 0, cache: { read: 0, write: 0 } },
        cost: output / 1e6,
      };
      const { id: _, sessionID: __, ...data } = info;
      upsert.run(id, 'ses_1', clock, clock, JSON.stringify(data));
      const event = { type: 'message.updated', properties: { info } };
      const body = JSON.stringify(opts.globalEvents ? { directory: '/work/alpha', payload: event } : event);
      for (const c of clients) c.write(`data: ${body}\n\n`);
    },
    /** The connection drops and the server is away (restarting) until up(). */
    drop() {
      down = true;
      for (const c of clients) c.destroy();
    },
    up() {
      down = false;
    },
    close() {
      writer.close();
      server.closeAllConnections();
      return new Promise((r) => server.close(r));
    },
  };
}

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
          password: 's3cret',
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
