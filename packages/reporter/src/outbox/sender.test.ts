import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TokenSource } from '../http/token.js';
import { type InProcessServer, mintToken, removeDir, serverTotals, startTestServer, tempDir } from '../testing/server.js';
import type { UsageRecord } from '../wire.js';
import { parseRetryAfter } from './backoff.js';
import { batchBody, MAX_BATCH_BYTES, MAX_BATCH_RECORDS, MAX_IN_FLIGHT, retryWhen, Sender } from './sender.js';
import { Store } from './store.js';

const usage = (id: string, extra: Partial<UsageRecord> = {}): UsageRecord => ({
  id,
  agentId: 'polecat-1',
  model: 'claude-sonnet-4-5',
  inputTokens: 10,
  outputTokens: 5,
  reasoningTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  costMicrodollars: 100,
  at: Date.now() - 60_000,
  ...extra,
});

/** A real HTTP server whose answers the test scripts; it records every request body. */
class ScriptedServer {
  readonly bodies: { path: string; bytes: number; body: { records?: unknown[] } }[] = [];
  answers: ((req: IncomingMessage, res: ServerResponse) => void)[] = [];
  /** Each answer waits this long, so several requests can be open at once. */
  delayMs = 0;
  /** The most requests open at one time. */
  maxOpen = 0;
  private open = 0;
  private readonly server: Server;
  url = '';

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      this.maxOpen = Math.max(this.maxOpen, ++this.open);
      res.on('finish', () => this.open--);
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const raw = Buffer.concat(chunks);
        const body = JSON.parse(raw.toString('utf8'));
        if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
        const answer = this.answers.shift();
        if (answer) return answer(req, res);
        this.bodies.push({ path: req.url ?? '', bytes: raw.length, body });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ accepted: body.records?.length ?? 0 }));
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((r) => (this.server.listening ? this.server.close(() => r()) : r()));
  }
}

const status =
  (code: number, headers: Record<string, string> = {}, body: object = { error: { code: 'x', message: `status ${code}` } }) =>
  (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(code, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

/** An answer in whatever shape: a proxy's HTML page, another service's JSON. */
const raw = (code: number, contentType: string, body: string) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(code, { 'content-type': contentType });
  res.end(body);
};

describe('Sender against a scripted HTTP server', () => {
  let dir: string;
  let store: Store;
  let http: ScriptedServer;
  let sender: Sender;
  beforeEach(async () => {
    dir = tempDir('gg-sender-');
    store = new Store(join(dir, 'state'));
    http = new ScriptedServer();
    await http.start();
    writeFileSync(join(dir, 'token'), 'tok\n');
    sender = new Sender({
      store,
      serverUrl: http.url,
      townId: 'town_1',
      token: new TokenSource({ file: join(dir, 'token') }),
      backoff: { baseMs: 20, maxMs: 200, random: () => 1 },
    });
  });
  afterEach(async () => {
    store.close();
    await http.close();
    removeDir(dir);
  });

  it('sends batches of at most 5,000 records and 1 MiB, each record once', async () => {
    store.transaction(() => {
      // ~20-byte records: the count bound closes these batches.
      for (let i = 0; i < 6000; i++) store.enqueue('usage', `tiny-${i}`, { id: `tiny-${i}` }, 'replace');
      // ~4 KB records (a padding field the scripted server takes): the byte bound, not the count, closes these batches.
      for (let i = 0; i < 600; i++)
        store.enqueue('usage', `big-${i}`, { ...usage(`big-${i}`), pad: 'm'.repeat(4000) }, 'replace');
    });
    expect(await sender.drain(Date.now() + 20_000)).toBe(true);
    expect(Math.max(...http.bodies.map((b) => b.body.records?.length ?? 0))).toBe(MAX_BATCH_RECORDS);
    expect(Math.max(...http.bodies.map((b) => b.bytes))).toBeLessThanOrEqual(1024 * 1024);
    expect(http.bodies.some((b) => b.bytes > MAX_BATCH_BYTES - 8 * 1024)).toBe(true);
    const ids = http.bodies.flatMap((b) => (b.body.records as UsageRecord[]).map((r) => r.id));
    expect(ids).toHaveLength(6600);
    expect(new Set(ids).size).toBe(6600);
    expect(http.bodies.every((b) => b.path === '/api/towns/town_1/usage')).toBe(true);
    expect(store.pendingCount()).toBe(0);
  });

  it("sends without a record's `session` once an older server refuses it as an unknown key, quarantining nothing", async () => {
    // The answer an older Gas Gauge gives a record with a field its schema does not know (the scripted server
    // stands in for that version: both answer the one request here alike).
    const older = (req: IncomingMessage, res: ServerResponse) =>
      status(
        400,
        {},
        { error: { code: 'bad_request', message: 'records[0]: Unrecognized key: "session"', path: 'records[0]' } },
      )(req, res);
    http.answers.push(older);
    const logs: string[] = [];
    sender = new Sender({
      store,
      serverUrl: http.url,
      townId: 'town_1',
      token: new TokenSource({ file: join(dir, 'token') }),
      log: (line) => logs.push(line),
    });
    store.transaction(() => {
      store.enqueue('usage', 'a', usage('a', { session: 's-1' }), 'replace');
      store.enqueue('usage', 'b', usage('b'), 'replace');
    });
    expect(await sender.drain(Date.now() + 10_000)).toBe(true);
    store.transaction(() => store.enqueue('usage', 'c', usage('c', { session: 's-2' }), 'replace'));
    expect(await sender.drain(Date.now() + 10_000)).toBe(true);
    expect(sender.state.quarantined).toBe(0);
    expect(existsSync(store.deadLetterFile)).toBe(false);
    const sent = http.bodies.flatMap((b) => b.body.records as UsageRecord[]);
    expect(sent.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(sent.every((r) => !('session' in r))).toBe(true);
    expect(sent[0]).toEqual(usage('a', { at: sent[0]?.at as number }));
    expect(logs.filter((l) => l.includes('does not take'))).toHaveLength(1);
  });

  it('keeps several batches in flight, and a failed one is sent again after its backoff, the others once', async () => {
    const big = (i: number) => ({ ...usage(`r${i}`), pad: 'm'.repeat(100_000) }); // a scripted server takes any field
    // ~100 KB records: 10 per batch, so 60 records are 6 batches.
    store.transaction(() => {
      for (let i = 0; i < 60; i++) store.enqueue('usage', `r${i}`, big(i), 'replace');
    });
    http.delayMs = 100;
    http.answers = [status(200, {}, { accepted: 10 }), status(503)];
    expect(await sender.drain(Date.now() + 20_000)).toBe(true);
    expect(http.maxOpen).toBe(MAX_IN_FLIGHT);
    // The first answer (a bare 200) and the recorded bodies: every record acknowledged, the refused batch's again.
    const ids = http.bodies.flatMap((b) => (b.body.records as UsageRecord[]).map((r) => r.id));
    expect(ids.length + 10).toBe(60);
    expect(new Set(ids).size).toBe(ids.length);
    expect(store.pendingCount()).toBe(0);
    expect(sender.state.lastError?.status).toBe(503);
  });

  it('retries no answer, 408, 429 and 5xx with backoff, honouring Retry-After, and quarantines nothing', async () => {
    store.transaction(() => store.enqueue('usage', 'a', usage('a'), 'replace'));
    http.answers = [status(503), status(408), status(429, { 'retry-after': '1' }), status(500)];
    const started = Date.now();
    expect(await sender.drain(Date.now() + 10_000)).toBe(true);
    // Retry-After: 1 s is a floor for that wait; the other waits are ≤ 200 ms here.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(http.bodies).toHaveLength(1);
    expect(sender.state.quarantined).toBe(0);
    expect(sender.state.lastError?.status).toBe(500);
  });

  /** A sender like the one above whose log lines go into `lines`. */
  function loggingSender(lines: string[], backoff?: { baseMs: number; maxMs: number }): Sender {
    return new Sender({
      store,
      serverUrl: http.url,
      townId: 'town_1',
      token: new TokenSource({ file: join(dir, 'token') }),
      ...(backoff ? { backoff } : {}),
      log: (line) => lines.push(line),
    });
  }

  it('says when delivery works again after a failure it said', async () => {
    const lines: string[] = [];
    const s2 = loggingSender(lines, { baseMs: 1, maxMs: 5 });
    store.transaction(() => store.enqueue('usage', 'a', usage('a'), 'replace'));
    http.answers = [status(503)];
    expect(await s2.drain(Date.now() + 10_000)).toBe(true);
    // A wait of 0 or 1 ms here (baseMs 1): said as such, not "retrying in 0.0 s".
    expect(lines).toEqual([expect.stringMatching(/^delivery failed \(.*503.*\); retrying (now|in 1 ms)$/), 'delivery resumed']);
    store.transaction(() => store.enqueue('usage', 'b', usage('b'), 'replace'));
    expect(await s2.drain(Date.now() + 10_000)).toBe(true);
    expect(lines).toHaveLength(2); // said once, not for every batch after
  });

  it('says no failure of a request its own stop cut short (the records stay, nothing failed)', async () => {
    const lines: string[] = [];
    const s2 = loggingSender(lines);
    store.transaction(() => store.enqueue('usage', 'a', usage('a'), 'replace'));
    // The server takes the request and answers after the sender was stopped (the reporter's state dir filled up, say).
    http.delayMs = 2000;
    const sent = s2.sendOnce();
    await new Promise((r) => setTimeout(r, 200));
    s2.stop();
    expect(await sent).toBe('failed');
    expect(lines).toEqual([]);
    expect(store.pendingCount()).toBe(1);
  });

  it('finds the bad record by halving when the server does not name it, and delivers the rest', async () => {
    store.transaction(() => {
      for (let i = 0; i < 8; i++) store.enqueue('usage', `r${i}`, usage(`r${i}`), 'replace');
    });
    // A server that refuses, without naming a field, any batch holding r5.
    let calls = 0;
    const picky = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        calls++;
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { records: UsageRecord[] };
        if (body.records.some((r) => r.id === 'r5')) return status(422)(req, res);
        http.bodies.push({ path: req.url ?? '', bytes: 0, body });
        status(200, {}, { accepted: body.records.length })(req, res);
      });
    });
    await new Promise<void>((r) => picky.listen(0, '127.0.0.1', r));
    const s2 = new Sender({
      store,
      serverUrl: `http://127.0.0.1:${(picky.address() as AddressInfo).port}`,
      townId: 'town_1',
      token: new TokenSource({ file: join(dir, 'token') }),
    });
    try {
      expect(await s2.drain(Date.now() + 10_000)).toBe(true);
    } finally {
      await new Promise<void>((r) => picky.close(() => r()));
    }
    const delivered = http.bodies.flatMap((b) => (b.body.records as UsageRecord[]).map((r) => r.id)).sort();
    expect(delivered).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r6', 'r7']);
    expect(s2.state.quarantined).toBe(1);
    expect(calls).toBeLessThanOrEqual(8);
    const dead = readFileSync(store.deadLetterFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(dead.map((d) => [d.id, d.status])).toEqual([['r5', 422]]);
  });

  it('keeps a record that was replaced while its batch was in flight', async () => {
    store.transaction(() => store.enqueue('usage', 'm', usage('m', { outputTokens: 5 }), 'replace'));
    http.answers = [
      (req, res) => {
        // The tailer finds a larger copy while the first is on the wire.
        store.transaction(() => store.enqueue('usage', 'm', usage('m', { outputTokens: 50 }), 'replace'));
        status(200, {}, { accepted: 1 })(req, res);
      },
    ];
    expect(await sender.drain(Date.now() + 10_000)).toBe(true);
    const [first] = http.bodies;
    expect((first?.body.records as UsageRecord[] | undefined)?.[0]?.outputTokens).toBe(50);
  });

  it('keeps the records on a 4xx that is not the API refusing records (and on 501, 505, 507), retrying every minute', async () => {
    const refusals = [
      status(405, {}, { error: { code: 'method_not_allowed', message: 'no' } }),
      raw(501, 'text/html', '<html><head><title>Error response</title></head><body>Unsupported method</body></html>'),
      status(505),
      // A town past its storage quota: no retry within seconds fixes it.
      status(507, {}, { error: { code: 'insufficient_storage', message: "the town's storage quota is used up" } }),
      status(409),
      status(410),
      status(415),
      raw(400, 'text/html', '<html><body><h1>400 Bad Request</h1>nginx</body></html>'),
      raw(413, 'text/html', '<html><body><h1>413 Request Entity Too Large</h1></body></html>'),
      raw(403, 'text/plain', 'Forbidden by policy'),
      status(422, {}, { message: 'another service', code: 'x' }), // JSON, but not the API's error shape
      status(400, {}, { error: 'bad request' }), // `error` is not the API's object
    ];
    for (const answer of refusals) {
      store.transaction(() => store.enqueue('usage', 'kept', usage('kept'), 'replace'));
      http.answers = [answer];
      const before = Date.now();
      expect(await sender.drain(Date.now() + 10_000)).toBe(false);
      expect(sender.state.fatal).toBeDefined();
      expect(sender.state.retryAt ?? 0).toBeGreaterThanOrEqual(before + 60_000);
      expect(store.pendingCount()).toBe(1);
      expect(sender.state.quarantined).toBe(0);
      expect(existsSync(store.deadLetterFile)).toBe(false);
      // Once the server takes records again, they go.
      sender.state.retryAt = undefined;
      expect(await sender.sendOnce()).toBe('sent');
      expect(sender.state.fatal).toBeUndefined();
      expect(store.pendingCount()).toBe(0);
    }
    expect(http.bodies).toHaveLength(refusals.length);
  });

  it('quarantines only on 400/403/413/422 in the API error shape', async () => {
    store.transaction(() => {
      for (const id of ['a', 'b', 'c', 'd']) store.enqueue('usage', id, usage(id), 'replace');
    });
    const named = (code: number, i: number) =>
      status(code, {}, { error: { code: 'bad_request', message: `records[${i}] refused`, path: `records[${i}].id` } });
    // The first batch holds a, b, c, d: a 400 names records[0], then 413 and 422 name the new first, then a 403 names records[0].
    http.answers = [named(400, 0), named(413, 0), named(422, 0), named(403, 0)];
    expect(await sender.drain(Date.now() + 10_000)).toBe(true);
    expect(sender.state.quarantined).toBe(4);
    const dead = readFileSync(store.deadLetterFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(dead.map((d) => [d.id, d.status])).toEqual([
      ['a', 400],
      ['b', 413],
      ['c', 422],
      ['d', 403],
    ]);
  });

  it('a drain waits out its backoff while new records wake it (a --once reading on did not back off)', async () => {
    store.transaction(() => store.enqueue('usage', 'a', usage('a'), 'replace'));
    const at: number[] = [];
    const timed =
      (answer: (req: IncomingMessage, res: ServerResponse) => void) => (req: IncomingMessage, res: ServerResponse) => {
        at.push(Date.now());
        answer(req, res);
      };
    http.answers = [timed(status(503, { 'retry-after': '1' })), timed(raw(200, 'application/json', '{"accepted":1}'))];
    let reading = true;
    const drained = sender.drain(Date.now() + 10_000, () => reading);
    // While the sources read on, each commit of records wakes the sender: here, every 20 ms during the backoff.
    const waking = setInterval(() => sender.wake(), 20);
    try {
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      clearInterval(waking);
      reading = false;
      sender.wake();
    }
    expect(await drained).toBe(true);
    expect(at).toHaveLength(2);
    expect((at[1] as number) - (at[0] as number)).toBeGreaterThanOrEqual(950);
  });

  it('a running sender waits out a Retry-After of 3,000 years quietly, as an hour', async () => {
    store.transaction(() => store.enqueue('usage', 'a', usage('a'), 'replace'));
    http.answers = [status(503, { 'retry-after': '99999999999' })];
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    const running = sender.run(10);
    try {
      await new Promise((r) => setTimeout(r, 1500));
      // Past 2^31 ms Node's timer fired at once, warning: a wake and a TimeoutOverflowWarning every millisecond.
      expect(warnings).toEqual([]);
      expect(http.bodies).toHaveLength(0);
      const wait = (sender.state.retryAt ?? 0) - Date.now();
      expect(wait).toBeGreaterThan(3_500_000);
      expect(wait).toBeLessThanOrEqual(3_600_000);
    } finally {
      process.off('warning', onWarning);
      sender.stop();
      await running;
    }
  });

  it('parses Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-25T12:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    // Held at an hour: a longer wait is a proxy's mistake, and past 24.8 days a Node timer fires at once.
    expect(parseRetryAfter('99999999999', now)).toBe(3_600_000);
    expect(parseRetryAfter('Fri, 25 Nov 2030 12:00:00 GMT', now)).toBe(3_600_000);
  });
});

describe('Sender against the real server', () => {
  let dir: string;
  let server: InProcessServer;
  beforeAll(async () => {
    dir = tempDir('gg-sender-real-');
    server = await startTestServer(dir);
  });
  afterAll(async () => {
    await server?.close();
    removeDir(dir);
  });

  const newSender = (store: Store, tokenFile: string, extra: { refreshCommand?: string; townId?: string } = {}) =>
    new Sender({
      store,
      serverUrl: server.url,
      townId: extra.townId ?? server.townId,
      token: new TokenSource({ file: tokenFile, refreshCommand: extra.refreshCommand }),
      backoff: { baseMs: 20, maxMs: 200 },
    });

  it('quarantines the record a 400 names (and one a 403 names for an agent-bound token), delivering the rest', async () => {
    const store = new Store(join(dir, 'q-state'));
    try {
      const bound = await mintToken(server.url, server.adminToken, server.townId, { agentId: 'polecat-1' });
      writeFileSync(join(dir, 'bound-token'), bound);
      store.transaction(() => {
        store.enqueue('usage', 'ok-1', usage('ok-1'), 'replace');
        store.enqueue('usage', 'otlp_x', usage('otlp_x'), 'replace'); // an id reserved for OTLP: 400 (one over its bounds is not sent)
        store.enqueue('usage', 'other-agent', usage('other-agent', { agentId: 'polecat-2' }), 'replace'); // 403 for this token
        store.enqueue('usage', 'ok-2', usage('ok-2', { inputTokens: 32 }), 'replace');
      });
      const sender = newSender(store, join(dir, 'bound-token'));
      expect(await sender.drain(Date.now() + 10_000)).toBe(true);
      expect(sender.state.quarantined).toBe(2);
      const dead = readFileSync(store.deadLetterFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(dead.map((d) => d.status).sort()).toEqual([400, 403]);
      expect(store.counter('quarantined')).toBe(2);
      const t = await serverTotals(server.url, server.adminToken, server.townId);
      expect(t.input_tokens).toBe(10 + 32);
    } finally {
      store.close();
    }
  });

  it('after a 401 re-reads the token file (or runs the refresh command) and retries', async () => {
    const store = new Store(join(dir, 'auth-state'));
    try {
      const expired = await mintToken(server.url, server.adminToken, server.townId, { ttlSeconds: 1 });
      const file = join(dir, 'rotating-token');
      writeFileSync(file, expired);
      const token = new TokenSource({ file });
      await token.get(); // the reporter holds the old token
      await new Promise((r) => setTimeout(r, 1100));
      writeFileSync(file, await mintToken(server.url, server.adminToken, server.townId)); // something renewed the file
      const sender = new Sender({ store, serverUrl: server.url, townId: server.townId, token });
      store.transaction(() => store.enqueue('usage', 'auth-1', usage('auth-1'), 'replace'));
      expect(await sender.drain(Date.now() + 10_000)).toBe(true);

      // With a refresh command: the file stays stale, the command prints a fresh token.
      writeFileSync(file, expired);
      writeFileSync(join(dir, 'fresh'), await mintToken(server.url, server.adminToken, server.townId));
      const viaCommand = newSender(store, file, { refreshCommand: `cat '${join(dir, 'fresh')}'` });
      store.transaction(() => store.enqueue('usage', 'auth-2', usage('auth-2'), 'replace'));
      expect(await viaCommand.drain(Date.now() + 10_000)).toBe(true);
      expect(store.pendingCount()).toBe(0);
    } finally {
      store.close();
    }
  });

  it('stops a drain at once on a refusal of the whole request (unknown town), keeping the records', async () => {
    const store = new Store(join(dir, 'town-state'));
    try {
      const sender = newSender(store, server.tokenFile, { townId: 'town_nope' });
      store.transaction(() => store.enqueue('usage', 'kept', usage('kept'), 'replace'));
      expect(await sender.drain(Date.now() + 10_000)).toBe(false);
      expect(sender.state.fatal?.status).toBe(403);
      expect(store.pendingCount()).toBe(1);
      expect(sender.state.quarantined).toBe(0);
    } finally {
      store.close();
    }
  });
});

describe('batchBody', () => {
  it('writes the same bytes as the joined JSON text, non-ASCII rows included', () => {
    const rows = ['{"id":"a"}', '{"id":"é😀","agentId":"日本"}', '{"id":"\\u0000"}'].map((body, i) => ({
      kind: 'usage' as const,
      id: String(i),
      body,
      bytes: Buffer.byteLength(body),
      seq: i,
    }));
    const joined = `{"records":[${rows.map((r) => r.body).join(',')}]}`;
    expect(batchBody('records', rows).equals(Buffer.from(joined))).toBe(true);
    expect(batchBody('events', []).toString()).toBe('{"events":[]}');
  });
});

describe('retryWhen', () => {
  it('says a wait in milliseconds under a second, in tenths of seconds from one, and no wait as now', () => {
    expect([0, 0.4, 1, 999, 999.6, 1000, 1049, 60_000].map(retryWhen)).toEqual([
      'retrying now',
      'retrying now',
      'retrying in 1 ms',
      'retrying in 999 ms',
      'retrying in 1.0 s',
      'retrying in 1.0 s',
      'retrying in 1.0 s',
      'retrying in 60.0 s',
    ]);
  });
});
