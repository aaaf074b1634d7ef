import { mkdirSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PIPELINED } from './pipelining.js';
import { type RunningServer, startServer } from './serve.js';
import { connectFrom, GET, sleep } from './testing/sockets.js';
import { tempDir } from './testing/temp.js';

/*
 * A client that pipelines requests and never reads the answers, on a real server and a real socket:
 * every answer used to wait, whole and a fresh copy each, in the server's memory. One write of 500
 * `GET`s of the UI's 2 MB source map (no credential needed) took a server from 135 MB to 1.1 GB.
 */
const MAP_BYTES = 2_000_000;
let server: RunningServer;
const sockets: Socket[] = [];

beforeAll(async () => {
  const dist = tempDir('gg-pipe-dist-');
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(dist, 'assets', 'index-abc.js.map'), Buffer.alloc(MAP_BYTES, 'x'));
  server = await startServer({
    dataDir: tempDir('gg-pipe-'),
    port: 0,
    host: '127.0.0.1',
    autoTick: false,
    log: () => {},
    webDist: dist,
  });
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await server?.close();
});

/** A raw connection that writes `text` at once and never reads; resolves once connected. */
function flood(text: string): Promise<{ socket: Socket; closed: Promise<void> }> {
  const socket = connect({ port: Number(new URL(server.url).port), host: '127.0.0.1' });
  sockets.push(socket);
  socket.on('error', () => {});
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  return new Promise((resolve) =>
    socket.once('connect', () => {
      socket.pause();
      socket.write(text);
      resolve({ socket, closed });
    }),
  );
}

describe('pipelined requests whose answers are never read', () => {
  it(`closes a connection with more than ${MAX_PIPELINED} waiting, and holds one copy of a big file, not one per answer`, async () => {
    const before = process.memoryUsage().arrayBuffers;
    const clients = await Promise.all([1, 2, 3].map(() => flood(GET('/assets/index-abc.js.map').repeat(500))));
    await sleep(1_500);
    const grownMiB = (process.memoryUsage().arrayBuffers - before) / 2 ** 20;
    // 1,500 answers of 2 MB: 2.9 GB before; now one cached copy, and the socket buffers.
    expect(grownMiB).toBeLessThan(64);
    // The server closed each connection: once the client reads, what was sent ends, short of 500 answers.
    for (const c of clients) c.socket.resume();
    const closed = await Promise.race([
      Promise.all(clients.map((c) => c.closed)).then(() => true),
      sleep(5_000).then(() => false),
    ]);
    expect(closed, 'the server should have closed each connection').toBe(true);
    // Everyone else is served.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it(`answers ${MAX_PIPELINED} pipelined requests on one connection, in order`, async () => {
    const socket = connect({ port: Number(new URL(server.url).port), host: '127.0.0.1' });
    sockets.push(socket);
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      data += d;
    });
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write(GET('/healthz').repeat(MAX_PIPELINED));
    for (let i = 0; i < 100 && (data.match(/HTTP\/1\.1 200 OK/g) ?? []).length < MAX_PIPELINED; i++) await sleep(50);
    expect((data.match(/HTTP\/1\.1 200 OK/g) ?? []).length).toBe(MAX_PIPELINED);
    expect(socket.destroyed).toBe(false);
  });

  it('keeps a connection that sends many requests one after another', async () => {
    const c = await connectFrom(server.url, '127.0.0.1');
    for (let i = 1; i <= 3 * MAX_PIPELINED; i++) {
      c.write(GET('/healthz'));
      for (let t = 0; t < 100 && (c.received().match(/HTTP\/1\.1 200 OK/g) ?? []).length < i; t++) await sleep(20);
      expect((c.received().match(/HTTP\/1\.1 200 OK/g) ?? []).length).toBe(i);
    }
    expect(c.isClosed()).toBe(false);
    c.socket.destroy();
  });
});
