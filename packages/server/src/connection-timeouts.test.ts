import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONNECTION_TIMEOUTS, TIMEOUT_CHECK_MS } from './connections.js';
import { LiveStream } from './testing/live-stream.js';
import { startTestServer, type TestServer } from './testing/server.js';
import { connectFrom, GET, HEALTHY, type RawClient, sleep } from './testing/sockets.js';

/*
 * The connection timeouts at their real values, each just under (answered) and just over (408, closed),
 * on one server with the defaults; the cases run side by side, so the file takes about a minute
 * (the request timeout), mostly asleep.
 */

const { headersMs, requestMs, keepAliveMs } = CONNECTION_TIMEOUTS;
/** How late past a timeout a connection may still be closed: Node looks once per TIMEOUT_CHECK_MS. */
const LATE_MS = TIMEOUT_CHECK_MS + 500;
const TEST_MS = requestMs + 30_000;

let s: TestServer;
const clients: RawClient[] = [];
beforeAll(async () => {
  s = await startTestServer({ tickMs: 60_000 });
});
afterAll(async () => {
  for (const c of clients) c.socket.destroy();
  await s?.close();
});

async function open(from: string): Promise<RawClient> {
  const c = await connectFrom(s.url, from);
  clients.push(c);
  return c;
}

/** Writes `parts` one after another, the last at `lastAtMs` after the first, evenly spaced. */
async function dribble(c: RawClient, parts: string[], lastAtMs: number): Promise<void> {
  const start = performance.now();
  for (const [i, part] of parts.entries()) {
    const due = start + (parts.length === 1 ? 0 : (lastAtMs * i) / (parts.length - 1));
    await sleep(Math.max(0, due - performance.now()));
    if (c.isClosed()) return;
    c.write(part);
  }
}

/** Closed by the server with a 408 between `ms` and `ms + LATE_MS` after `from`. */
async function closedWith408After(c: RawClient, from: number, ms: number): Promise<void> {
  const closedAt = await c.closed;
  expect(c.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  expect(closedAt - from).toBeGreaterThanOrEqual(ms - 50);
  expect(closedAt - from).toBeLessThan(ms + LATE_MS);
}

function usageBody(id: string): string {
  const records = [
    { id, agentId: 'a1', model: 'm', mode: 'delta', inputTokens: 1, outputTokens: 1, costMicrodollars: 1, at: Date.now() },
  ];
  // Padded with spaces, so it takes many small writes to send.
  return JSON.stringify({ records }).padEnd(400, ' ');
}

function postHead(body: string): string {
  return (
    `POST /api/towns/${s.townId}/usage HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${s.ingestToken}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`
  );
}

/** `text` cut into `n` pieces. */
function pieces(text: string, n: number): string[] {
  const size = Math.ceil(text.length / n);
  return Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));
}

describe.concurrent('connection timeouts (defaults)', () => {
  it(`answers a request whose headers end just under ${headersMs} ms after its first byte`, { timeout: TEST_MS }, async () => {
    const c = await open('127.0.0.2');
    const headers = [
      'GET /healthz HTTP/1.1\r\n',
      'Host: 127.0.0.1\r\n',
      ...Array.from({ length: 8 }, (_, i) => `X-Slow-${i}: 1\r\n`),
      '\r\n',
    ];
    await dribble(c, headers, headersMs - 1000);
    await c.waitFor(HEALTHY);
  });

  it(`closes with 408 a request whose headers have not ended ${headersMs} ms after its first byte (slowloris)`, {
    timeout: TEST_MS,
  }, async () => {
    const c = await open('127.0.0.3');
    const headers = ['GET /healthz HTTP/1.1\r\n', ...Array.from({ length: 30 }, (_, i) => `X-Slow-${i}: 1\r\n`)];
    void dribble(c, headers, 30_000);
    await closedWith408After(c, c.connectedAt, headersMs);
  });

  it(`closes with 408 a connection that sends nothing for ${headersMs} ms`, { timeout: TEST_MS }, async () => {
    const c = await open('127.0.0.4');
    await closedWith408After(c, c.connectedAt, headersMs);
  });

  it(`answers an ingest whose body ends just under ${requestMs} ms after its first byte`, { timeout: TEST_MS }, async () => {
    const c = await open('127.0.0.5');
    const body = usageBody('slow-ok');
    await dribble(c, [postHead(body), ...pieces(body, 40)], requestMs - 2000);
    const answer = await c.waitFor(/\r\n\r\n\{.*\}$/);
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(answer).toContain('"accepted":1');
  });

  it(`closes with 408 a request whose body has not all arrived ${requestMs} ms after its first byte (slow body)`, {
    timeout: TEST_MS,
  }, async () => {
    const c = await open('127.0.0.6');
    const body = usageBody('slow-late');
    const start = performance.now();
    // The whole body would take 90 s.
    void dribble(c, [postHead(body), ...pieces(body, 90)], 90_000);
    await closedWith408After(c, start, requestMs);
    expect(s.logs.filter((l) => /internal|uncaught/i.test(l))).toEqual([]);
  });

  it(`keeps an idle keep-alive connection for ${keepAliveMs} ms (and tells the client), then closes it`, {
    timeout: TEST_MS,
  }, async () => {
    const c = await open('127.0.0.7');
    c.write(GET('/healthz'));
    const first = await c.waitFor(HEALTHY);
    expect(first).toContain(`Keep-Alive: timeout=${keepAliveMs / 1000}`);
    await sleep(keepAliveMs - 500);
    c.write(GET('/healthz'));
    await c.waitFor(/(\{"ok":true\}[\s\S]*){2}/);
    const answeredAt = performance.now();
    const closedAt = await c.closed;
    // Node closes it 1 s after the timeout it tells, so a client that honours the header closes first.
    expect(closedAt - answeredAt).toBeGreaterThanOrEqual(keepAliveMs - 50);
    expect(closedAt - answeredAt).toBeLessThan(keepAliveMs + 1000 + LATE_MS);
  });

  it('keeps a live stream (metrics.live) open past the headers and request timeouts', { timeout: TEST_MS }, async () => {
    const live = new LiveStream(s.url, s.townId, s.adminToken);
    try {
      await live.waitFor((e) => e.event === 'message');
      await sleep(requestMs + LATE_MS + 1000);
      expect(live.ended).toBe(false);
      const from = live.events.length;
      expect((await s.post(`/api/towns/${s.townId}/usage`, { records: [JSON.parse(usageBody('live')).records[0]] })).status).toBe(
        200,
      );
      await live.waitFor((e) => e.event === 'message' && e.data.tokensPerSecond > 0, { from });
    } finally {
      await live.close();
    }
  });
});
