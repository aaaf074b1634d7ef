import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type ModelTotals, totalsByModel } from '@gasgauge/api/testing/real-exports';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentMap } from '../agents.js';
import { Store } from '../outbox/store.js';
import { gasgauge, waitFor } from '../testing/processes.js';
import { REAL_FILES } from '../testing/real-files.js';
import { createTown, type InProcessServer, mintToken, removeDir, startTestServer, tempDir } from '../testing/server.js';
import type { UsageRecord } from '../wire.js';
import { attachOpencode, opencodeCredentials } from './attach.js';
import { OpencodeDiskSource } from './disk.js';
import { OpencodePrices } from './prices.js';

/**
 * What the real OpenCode 1.18.33 and Kilo 7.7.7 wrote and sent (testing/fixtures/README.md): each CLI's `serve`
 * (password-protected), three `run --attach` turns against a fake OpenAI-compatible API whose every response carried
 * known usage (`fake-usage.jsonl`), the store's rows afterwards (`store.json`, `schema.sql`) and the server-sent
 * events of `/global/event` and `/event` meanwhile. A real server, real `gasgauge report --once` processes,
 * ccusage 20.0.24, and the reporter attached to a loopback server replaying the events.
 */
const run = promisify(execFile);
const CCUSAGE = createRequire(import.meta.url).resolve('ccusage/src/cli.js');

const CLIS = [
  { fixture: 'opencode-1.18.33', cli: 'opencode', db: 'opencode.db', env: 'OPENCODE_DATA_DIR', user: 'opencode' },
  { fixture: 'kilo-7.7.7', cli: 'kilo', db: 'kilo.db', env: 'KILO_DATA_DIR', user: 'kilo' },
] as const;

type Totals = ModelTotals;

/**
 * The fake API's sums of the requests the store keeps: all but the session-title requests (the CLIs store no message
 * for those). OpenCode's convention: input without the cached prompt tokens, output without reasoning. Cost from the
 * prices the CLIs' config gave `fake-model` ($3 / $15 / $0.30 per million: input / output and reasoning / cache read).
 */
function fakeSums(fixture: string): Totals {
  const t: Totals = { input: 0, output: 0, reasoning: 0, cache_read: 0, cache_write: 0, cost: 0 };
  for (const line of readFileSync(join(REAL_FILES, fixture, 'fake-usage.jsonl'), 'utf8').split('\n')) {
    if (line === '') continue;
    const r = JSON.parse(line) as {
      isTitle: boolean;
      usage: {
        prompt_tokens: number;
        completion_tokens: number;
        prompt_tokens_details: { cached_tokens: number };
        completion_tokens_details: { reasoning_tokens: number };
      };
    };
    if (r.isTitle) continue;
    const cached = r.usage.prompt_tokens_details.cached_tokens;
    const reasoning = r.usage.completion_tokens_details.reasoning_tokens;
    t.input += r.usage.prompt_tokens - cached;
    t.cache_read += cached;
    t.reasoning += reasoning;
    t.output += r.usage.completion_tokens - reasoning;
  }
  t.cost = Math.round(3 * t.input + 15 * (t.output + t.reasoning) + 0.3 * t.cache_read);
  return t;
}

/** Epoch milliseconds of 2026 (the capture's) in a text, moved by `shift`. */
const shifted = (text: string, shift: number) => text.replace(/\b17\d{11}\b/g, (ms) => String(Number(ms) + shift));

/** The capture's times moved so that its latest is a minute ago (the town keeps 400 days). */
function shiftFor(fixture: string): number {
  const text = readFileSync(join(REAL_FILES, fixture, 'store.json'), 'utf8');
  const last = Math.max(...[...text.matchAll(/\b17\d{11}\b/g)].map((m) => Number(m[0])));
  return Date.now() - 60_000 - last;
}

/** The CLI's store rebuilt from the captured rows (its own schema) in `dataDir`. */
function writeStore(fixture: string, dataDir: string, file: string, shift: number): void {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, file));
  db.pragma('journal_mode = WAL');
  db.exec(readFileSync(join(REAL_FILES, fixture, 'schema.sql'), 'utf8'));
  const rows = JSON.parse(shifted(readFileSync(join(REAL_FILES, fixture, 'store.json'), 'utf8'), shift)) as Record<
    string,
    Record<string, unknown>[]
  >;
  for (const table of ['project', 'session', 'message', 'part']) {
    for (const row of rows[table] ?? []) {
      const cols = Object.keys(row);
      db.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(
        ...cols.map((c) => row[c]),
      );
    }
  }
  db.close();
}

/** A loopback server that asks for the CLI's basic auth and replays a captured event stream, then stays open. */
async function replay(fixture: string, path: string, user: string, shift: number) {
  const body = shifted(readFileSync(join(REAL_FILES, fixture, `${path.slice(1).replace('/', '-')}.sse`), 'utf8'), shift);
  const server = createServer((req, res) => {
    if (req.headers.authorization !== `Basic ${Buffer.from(`${user}:secret`).toString('base64')}`) {
      return void res.writeHead(401, { 'www-authenticate': 'Basic realm="Secure Area"' }).end();
    }
    if (req.url !== path) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r()) && server.closeAllConnections()),
  };
}

let dir: string;
let server: InProcessServer;
beforeAll(async () => {
  dir = tempDir('gg-real-opencode-');
  server = await startTestServer(dir);
}, 30_000);
afterAll(async () => {
  await server?.close();
  removeDir(dir);
});

/** A town's totals of the fake model since it began (its Prometheus counters, summed over agents). */
async function townTotals(townId: string): Promise<Totals> {
  const res = await fetch(`${server.url}/api/towns/${townId}/metrics/prometheus`, {
    headers: { authorization: `Bearer ${server.adminToken}` },
  });
  const none = { input: 0, output: 0, reasoning: 0, cache_read: 0, cache_write: 0, cost: 0 };
  return totalsByModel(await res.text())['fake-model'] ?? none;
}

/** The outbox's usage records, the last of each message (each is its message's cumulative total), summed. */
function outboxTotals(store: Store): Totals & { messages: number } {
  const last = new Map<string, UsageRecord>();
  for (const b of store.sql.prepare("SELECT body FROM outbox WHERE kind = 'usage' ORDER BY id").pluck().all() as string[]) {
    const r = JSON.parse(b) as UsageRecord;
    last.set(r.id, r);
  }
  const t = { input: 0, output: 0, reasoning: 0, cache_read: 0, cache_write: 0, cost: 0, messages: last.size };
  for (const r of last.values()) {
    t.input += r.inputTokens;
    t.output += r.outputTokens;
    t.reasoning += r.reasoningTokens;
    t.cache_read += r.cacheReadTokens;
    t.cache_write += r.cacheWriteTokens;
    t.cost += r.costMicrodollars ?? 0;
  }
  return t;
}

describe.each(CLIS)('$fixture: what the real CLI wrote and sent', ({ fixture, cli, db, env, user }) => {
  const sums = fakeSums(fixture);

  it('its store: gasgauge report --once gives the fake API’s sums, and so does ccusage 20.0.24', async () => {
    const data = join(dir, `${cli}-data`);
    writeStore(fixture, data, db, shiftFor(fixture));
    const townId = await createTown(server.url, server.adminToken, cli);
    const tokenFile = join(dir, `token-${cli}`);
    writeFileSync(tokenFile, `${await mintToken(server.url, server.adminToken, townId)}\n`, { mode: 0o600 });
    const out = await gasgauge<{ delivered: boolean; found: Record<string, number> }>([
      'report',
      '--once',
      ...['--server', server.url, '--town', townId, '--token-file', tokenFile, '--state', join(dir, `state-${cli}`)],
      ...['--no-claude', '--no-codex', '--no-gemini', '--opencode-dir', data],
    ]);
    expect(out).toMatchObject({ delivered: true, found: { opencode: 1 } });
    expect(await townTotals(townId)).toEqual(sums);

    const { stdout } = await run(process.execPath, [CCUSAGE, cli, 'session', '--offline', '--json'], {
      env: { ...process.env, [env]: data, NO_COLOR: '1' },
    });
    const totals = (JSON.parse(stdout) as { totals: Record<string, number> }).totals;
    expect(totals).toMatchObject({
      inputTokens: sums.input,
      outputTokens: sums.output, // ccusage leaves reasoning out of its token totals (and prices it as output)
      cacheReadTokens: sums.cache_read,
      cacheCreationTokens: 0,
    });
    expect(Math.round((totals.totalCost as number) * 1e6)).toBe(sums.cost);
  }, 60_000);

  for (const path of ['/global/event', '/event']) {
    it(`its ${path} stream, behind ${user}'s basic auth, OPENCODE_SERVER_PASSWORD set: the fake API's sums, alone and with the store read too`, async () => {
      const shift = shiftFor(fixture);
      const live = await replay(fixture, path, user, shift);
      const sub = join(dir, `${cli}-${path.replaceAll('/', '')}`);
      const empty = join(sub, 'empty');
      const data = join(sub, 'data');
      mkdirSync(empty, { recursive: true });
      writeStore(fixture, data, db, shift);
      try {
        for (const dirs of [[empty], [data]]) {
          const store = new Store(join(sub, `state-${dirs[0] === empty ? 'live' : 'both'}`));
          const source = new OpencodeDiskSource({
            store,
            dirs,
            agents: new AgentMap({ paths: [] }),
            prices: OpencodePrices.load(),
          });
          const abort = new AbortController();
          const attached = attachOpencode({
            url: live.url,
            // The password as the README said before Kilo was tried: OPENCODE_SERVER_PASSWORD (kilo serve asks for user kilo).
            credentials: opencodeCredentials({ OPENCODE_SERVER_PASSWORD: 'secret' }),
            signal: abort.signal,
            onEvent: (e) => source.live(e),
            onConnect: () => source.poll(),
            backoff: { baseMs: 50, maxMs: 200 },
          });
          try {
            const messages = (
              JSON.parse(readFileSync(join(REAL_FILES, fixture, 'store.json'), 'utf8')) as {
                message: { data: string }[];
              }
            ).message.filter((m) => (JSON.parse(m.data) as { role: string }).role === 'assistant').length;
            await waitFor(
              () => `every assistant message: ${JSON.stringify(outboxTotals(store))}`,
              () => (outboxTotals(store).messages === messages ? true : undefined),
              10_000,
            );
            await new Promise((r) => setTimeout(r, 200)); // the rest of the stream
            const { messages: _, ...totals } = outboxTotals(store);
            expect(totals).toEqual(sums);
          } finally {
            abort.abort();
            await attached;
            source.close();
            store.close();
          }
        }
      } finally {
        await live.close();
      }
    }, 30_000);
  }
});
