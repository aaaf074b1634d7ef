import { createServer } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './testing/server.js';
import { sleep } from './testing/sockets.js';
import { UnsentAnswers } from './unsent-answers.js';

/*
 * Clients that ask for big answers and never read them, on a real server and real sockets: each answer waited,
 * whole, in the server's memory for as long as its connection stayed open (20 connections held 440 MB). Now the
 * server holds at most MAX_UNSENT_ANSWER_BYTES of unread answers (here 2 MiB, with a 500 ms grace) and closes the
 * connections that have held theirs the longest; a client that reads is served.
 */
const MAX = 2 * 1024 * 1024;
const GRACE_MS = 500;
let s: TestServer;
const sockets: Socket[] = [];

beforeAll(async () => {
  s = await startTestServer({ autoTick: false, readBudgetMsPerS: 0, maxUnsentAnswerBytes: MAX, unsentAnswerGraceMs: GRACE_MS });
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await s?.close();
});

/** A tRPC batch of ten 5,000-point timeseries: about 7.4 MB of JSON, even for an empty town. */
function bigBatchPath(): string {
  const input = Object.fromEntries(
    Array.from({ length: 10 }, (_, i) => [i, { townId: s.townId, from: i, to: 10_000_000_000_000, maxPoints: 5000 }]),
  );
  return `/trpc/${Array(10).fill('metrics.timeseries').join(',')}?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`;
}

/** A connection that asks for `n` big answers at once, reads the first bytes (so they were written), then stops reading. */
function stalled(n: number): Promise<{ resume: () => Promise<number> }> {
  const socket = connect({ port: Number(new URL(s.url).port), host: '127.0.0.1' });
  sockets.push(socket);
  socket.on('error', () => {});
  let received = 0;
  socket.on('data', (d: Buffer) => {
    received += d.length;
  });
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  const get = `GET ${bigBatchPath()} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${s.adminToken}\r\n\r\n`;
  return new Promise((resolve) => {
    socket.once('connect', () => socket.write(get.repeat(n)));
    socket.once('data', () => {
      socket.pause();
      // Reads the rest, until the server closes the connection (at once once it dropped the answers, else once idle):
      // the bytes it received in all.
      resolve({
        resume: () => {
          socket.resume();
          return closed.then(() => received);
        },
      });
    });
  });
}

describe('answers a client never reads', () => {
  it('are held up to the bound: the connections holding them longest are closed, and a client that reads is served', async () => {
    const greedy = await Promise.all([1, 2].map(() => stalled(6)));
    await sleep(GRACE_MS + 100); // past the grace: each stalled connection has held its answers that long
    // A reader's big answer is written while the unread ones are over the bound: they make room, it is served whole.
    const res = await fetch(s.url + bigBatchPath(), { headers: { authorization: `Bearer ${s.adminToken}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text)).toHaveLength(10);
    // Each greedy connection was closed with its answers unsent: it gets less than its six.
    const got = await Promise.all(greedy.map((g) => g.resume()));
    for (const bytes of got) expect(bytes).toBeLessThan(6 * text.length);
    expect(s.logs.some((l) => l.includes('holding unread answers'))).toBe(true);
  });
});

describe('the count of unread answers', () => {
  it('drops what a closed connection held, its pipelined answers never handed to it included', async () => {
    const unsent = new UnsentAnswers(1024 ** 3);
    const big = 'x'.repeat(8 * 1024 * 1024);
    const server = createServer((req, res) => {
      unsent.track(req.socket, res as never);
      res.end(big);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const socket = connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1' });
      socket.on('error', () => {});
      await new Promise<void>((r) => socket.once('connect', () => r()));
      socket.pause();
      socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(4));
      // Four answers of 8 MiB: the first handed to the connection (and only partly taken), three waiting behind it.
      for (let i = 0; i < 50 && unsent.bytes() < 4 * big.length; i++) await sleep(20);
      expect(unsent.bytes()).toBe(4 * big.length);
      socket.destroy();
      for (let i = 0; i < 50 && unsent.bytes() > 0; i++) await sleep(20);
      expect(unsent.bytes()).toBe(0);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
