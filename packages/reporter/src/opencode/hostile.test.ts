import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentMap } from '../agents.js';
import { Store } from '../outbox/store.js';
import { openWriter } from '../testing/opencode-stores.js';
import { waitFor } from '../testing/processes.js';
import { removeDir, tempDir } from '../testing/server.js';
import { MAX_ID_LENGTH, type UsageRecord } from '../wire.js';
import { attachOpencode } from './attach.js';
import { OpencodeDiskSource } from './disk.js';
import { OpencodeUsage } from './events.js';
import { SqliteStepLedger } from './ledger.js';
import { OpencodePrices } from './prices.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMiB = () => {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

const assistant = (id: string, sessionID: string, modelID: string) => ({
  id,
  sessionID,
  role: 'assistant',
  modelID,
  providerID: 'anthropic',
  time: { created: Date.now() - 60_000 },
  tokens: { input: 10, output: 5, reasoning: 0, cache: { read: 0, write: 0 } },
  cost: 0.001,
});

describe('OpenCode input from a hostile server or store', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) removeDir(d);
  });
  const setup = () => {
    const dir = tempDir('gg-opencode-hostile-');
    dirs.push(dir);
    const data = join(dir, 'opencode');
    mkdirSync(data, { recursive: true });
    const store = new Store(join(dir, 'state'));
    const source = new OpencodeDiskSource({ store, dirs: [data], agents: new AgentMap(), prices: OpencodePrices.load() });
    const records = () =>
      (store.sql.prepare("SELECT body FROM outbox WHERE kind = 'usage' ORDER BY id").pluck().all() as string[]).map(
        (b) => JSON.parse(b) as UsageRecord,
      );
    return { data, store, source, records };
  };

  it('a live server sending 300 KB ids, sessions and models: records the server takes, and memory that does not keep them', async () => {
    const { store, source, records } = setup();
    const n = 200;
    const big = (c: string, i: number) => `${c}${i}:${'x'.repeat(300_000)}`;
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < n; i++) {
        const info = assistant(big('m', i), big('s', i), big('model', i));
        const part = { id: big('p', i), messageID: info.id, type: 'step-finish', tokens: info.tokens, cost: info.cost };
        res.write(`data: ${JSON.stringify({ type: 'message.part.updated', properties: { part } })}\n\n`);
        res.write(
          `data: ${JSON.stringify({ directory: '/work/a', payload: { type: 'message.updated', properties: { info } } })}\n\n`,
        );
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const abort = new AbortController();
    const stats = { connects: 0, events: 0, skipped: 0 };
    const before = heapMiB();
    const attached = attachOpencode(
      { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, signal: abort.signal, onEvent: (e) => source.live(e) },
      stats,
    );
    try {
      await waitFor('every event', () => (stats.events === 2 * n ? true : undefined), 60_000);
      // 200 messages × 3 strings of 300 KB would be 180 MB if any map kept them.
      expect(heapMiB() - before).toBeLessThan(60);
      const got = records();
      expect(got).toHaveLength(n);
      for (const r of got) {
        for (const v of [r.id, r.agentId, r.model, r.provider ?? '']) expect(v.length).toBeLessThanOrEqual(MAX_ID_LENGTH);
      }
      expect(stats.skipped).toBe(0);
    } finally {
      abort.abort();
      await attached;
      server.closeAllConnections();
      server.close();
      source.close();
      store.close();
    }
  }, 90_000);

  it('a live server trickling a 1 MiB event in 64-byte writes costs time linear in its bytes, and the next event is read', async () => {
    // Searching the whole held line for a newline on every chunk took 39 s of CPU for this one event.
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.socket?.setNoDelay(true);
      res.write('data: ');
      let sent = 0;
      const more = () => {
        if (sent >= 1024 * 1024) return void res.write('\n\ndata: {"type":"after"}\n\n');
        res.write('x'.repeat(64));
        sent += 64;
        setImmediate(more);
      };
      more();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const abort = new AbortController();
    const stats = { connects: 0, events: 0, skipped: 0 };
    const seen: unknown[] = [];
    const started = performance.now();
    try {
      await attachOpencode(
        {
          url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          signal: abort.signal,
          onEvent: (e) => {
            seen.push(e);
            abort.abort();
          },
        },
        stats,
      );
    } finally {
      server.closeAllConnections();
      server.close();
    }
    expect(seen).toEqual([{ type: 'after' }]);
    expect(stats).toMatchObject({ events: 1, skipped: 1 });
    expect(performance.now() - started).toBeLessThan(15_000);
  }, 30_000);

  it('a session id near the limit still gives an agent id the server takes', () => {
    const out: UsageRecord[] = [];
    const usage = new OpencodeUsage({ agents: new Map(), emit: (r) => out.push(r) });
    usage.handle({ type: 'message.updated', properties: { info: assistant('msg_1', 's'.repeat(MAX_ID_LENGTH), 'm') } });
    expect(out).toHaveLength(1);
    expect((out[0] as UsageRecord).agentId.length).toBeLessThanOrEqual(MAX_ID_LENGTH);
  });

  it('a live server sending endless step-finish parts of new ids: the step ledger keeps its newest rows only', () => {
    const { store } = setup();
    const max = 1000;
    const ledger = new SqliteStepLedger(store.sql, max);
    const step = { input: 1, output: 2, reasoning: 0, cacheRead: 0, cacheWrite: 0, cost: 3 };
    for (let i = 0; i < 10 * max; i++) expect(ledger.add(`m${i >> 1}`, `p${i}`, step)).toBe(true);
    const rows = store.sql.prepare('SELECT count(*) FROM opencode_steps').pluck().get() as number;
    // At most one count interval (here `max` inserts) over the bound, never the 10,000 sent.
    expect(rows).toBeLessThan(2 * max);
    expect(ledger.sum('m0')).toBeUndefined();
    expect(ledger.sum(`m${(10 * max - 1) >> 1}`)).toEqual({
      input: 2,
      output: 4,
      reasoning: 0,
      cacheRead: 0,
      cacheWrite: 0,
      cost: 6,
    });
    store.close();
  });

  it('a live server sending endless messages of new ids: the totals last sent are kept for the newest rows only', () => {
    const { store } = setup();
    const max = 1000;
    const ledger = new SqliteStepLedger(store.sql, max);
    for (let i = 0; i < 10 * max; i++) ledger.setSent(`m${i}`, { key: `${i}/0/0/0/0/0`, agentId: 'a' });
    const rows = store.sql.prepare('SELECT count(*) FROM opencode_sent').pluck().get() as number;
    expect(rows).toBeLessThan(2 * max);
    expect(ledger.sent('m0')).toBeUndefined();
    expect(ledger.sent(`m${10 * max - 1}`)).toEqual({ key: `${10 * max - 1}/0/0/0/0/0`, agentId: 'a' });
    // Sent again: replaced, not added.
    ledger.setSent(`m${10 * max - 1}`, { key: 'grown', agentId: 'a' });
    expect(ledger.sent(`m${10 * max - 1}`)).toEqual({ key: 'grown', agentId: 'a' });
    expect(
      store.sql
        .prepare('SELECT count(*) FROM opencode_sent WHERE message_id = ?')
        .pluck()
        .get(`m${10 * max - 1}`),
    ).toBe(1);
    store.close();
  });

  it('a store row over 1 MiB is counted as malformed and not read; the rows beside it are', async () => {
    const { data, store, source, records } = setup();
    const writer = openWriter(join(data, 'opencode.db'));
    const insert = writer.prepare('INSERT INTO message VALUES (?, ?, ?, ?, ?)');
    const { id: _, sessionID: __, ...info } = assistant('x', 'y', 'claude-sonnet-4-5');
    insert.run('msg_1', 'ses_1', 1, 1, JSON.stringify(info));
    insert.run('msg_2', 'ses_1', 2, 2, JSON.stringify({ ...info, system: ['p'.repeat(2 * 1024 * 1024)] }));
    insert.run('msg_3', 'ses_1', 3, 3, JSON.stringify(info));
    writer.close();
    expect(await source.poll()).toBe(true);
    expect(records().map((r) => r.id)).toEqual(['msg_1', 'msg_3']);
    expect(source.stats.malformed).toBe(1);
    expect(store.counter('opencode.malformed')).toBe(1);
    source.close();
    store.close();
  });
});
