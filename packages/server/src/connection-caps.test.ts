import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ClientCounts,
  clientKeys,
  DEFAULT_MAX_CONNECTIONS_PER_CLIENT,
  isLoopback,
  logAcceptErrors,
  SITE_FACTOR,
} from './connections.js';
import { type RunningServer, type ServeOptions, startServer } from './serve.js';
import { connectFrom, GET, HEALTHY, type RawClient, sleep } from './testing/sockets.js';
import { tempDir } from './testing/temp.js';

/*
 * Connection caps on a real server, with real loopback sockets: each 127.0.0.x is another client
 * address. The server is started bare (no requests made by the test harness), so every connection it
 * holds is one the test opened.
 */

const servers: RunningServer[] = [];
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(opts: Partial<ServeOptions>, logs: string[] = []): Promise<RunningServer> {
  const server = await startServer({
    dataDir: tempDir('gg-conn-'),
    port: 0,
    host: '127.0.0.1',
    autoTick: false,
    log: (line) => logs.push(line),
    ...opts,
  });
  servers.push(server);
  return server;
}

async function open(url: string, from: string): Promise<RawClient> {
  const c = await connectFrom(url, from);
  clients.push(c);
  return c;
}

/**
 * `n` connections from `from`, each holding an unfinished request (its headers not yet ended), as a
 * slow or hostile client holds them. Waits until the server has had the time to accept each.
 */
async function hold(url: string, from: string, n: number): Promise<RawClient[]> {
  const held: RawClient[] = [];
  for (let i = 0; i < n; i++) {
    const c = await open(url, from);
    c.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    held.push(c);
  }
  await sleep(200);
  return held;
}

/** The server closes `c` with no answer, within `ms`. */
async function refusedWithin(c: RawClient, ms: number): Promise<void> {
  const at = await Promise.race([c.closed, sleep(ms).then(() => undefined)]);
  expect(at, 'the server should have closed the connection').toBeDefined();
  expect(c.received()).toBe('');
}

/** Ends each held request and expects its answer: the connection was accepted and kept. */
async function allAnswered(held: RawClient[]): Promise<void> {
  for (const c of held) c.write('\r\n');
  await Promise.all(held.map((c) => c.waitFor(HEALTHY)));
}

describe('connections per client address (--max-connections-per-client)', () => {
  it('keeps 64 from one address, closes the 65th at once, and still serves other addresses', async () => {
    const logs: string[] = [];
    const { url } = await serve({ capLoopbackClients: true }, logs);
    const max = DEFAULT_MAX_CONNECTIONS_PER_CLIENT;
    expect(max).toBe(64);
    const held = await hold(url, '127.0.0.2', max);
    expect(held.filter((c) => c.isClosed())).toHaveLength(0);

    const over = await open(url, '127.0.0.2');
    over.write(GET('/healthz'));
    await refusedWithin(over, 1000);

    // Another client is not affected, neither is the greedy one's own held connections.
    const other = await open(url, '127.0.0.3');
    other.write(GET('/healthz'));
    await other.waitFor(HEALTHY);
    await allAnswered(held);
    expect(logs.filter((l) => l.startsWith('refused connections'))).toEqual([
      expect.stringContaining('1 over --max-connections-per-client 64 (256 for an IPv6 /48; the latest from 127.0.0.2)'),
    ]);

    // One closed, one more may open.
    (held[0] as RawClient).socket.destroy();
    await sleep(100);
    const again = await open(url, '127.0.0.2');
    again.write(GET('/healthz'));
    await again.waitFor(HEALTHY);
  });

  it('with 0 there is no per-client cap (behind a reverse proxy on another machine, every client is the proxy)', async () => {
    const { url } = await serve({ maxConnectionsPerClient: 0, capLoopbackClients: true });
    const held = await hold(url, '127.0.0.2', 100);
    expect(held.filter((c) => c.isClosed())).toHaveLength(0);
    await allAnswered(held);
  });

  it('does not cap loopback clients (a reverse proxy on this machine), only the total', async () => {
    const { url } = await serve({ maxConnections: 100 });
    const held = await hold(url, '127.0.0.2', 100);
    expect(held.filter((c) => c.isClosed())).toHaveLength(0);
    await allAnswered(held);
    expect(isLoopback('127.3.2.1')).toBe(true);
    expect(isLoopback('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('10.0.0.1')).toBe(false);
    expect(isLoopback('::2')).toBe(false);
  });

  it('counts an IPv4 client mapped into IPv6 as its IPv4 address, and an IPv6 client by its /64', () => {
    expect(clientKeys('203.0.113.9')[0]).toBe('203.0.113.9');
    expect(clientKeys('::ffff:203.0.113.9')[0]).toBe('203.0.113.9');
    expect(clientKeys('2001:db8:1:2:aaaa:bbbb:cccc:dddd')[0]).toBe('2001:db8:1:2::/64');
    expect(clientKeys('2001:db8:1:2::1')[0]).toBe('2001:db8:1:2::/64');
    expect(clientKeys('2001:0db8:0001:0002::ffff:1')[0]).toBe('2001:db8:1:2::/64');
    expect(clientKeys('2001:db8:1:3::1')[0]).toBe('2001:db8:1:3::/64');
    expect(clientKeys('2001:db8::1')[0]).toBe('2001:db8:0:0::/64');
    expect(clientKeys('::1')[0]).toBe('0:0:0:0::/64');
    expect(clientKeys('fe80::1%eth0')[0]).toBe('fe80:0:0:0::/64');
  });

  // The counting alone: this machine has no IPv6 address but ::1 to connect from, so the sockets above are IPv4;
  // they run the same ClientCounts through capConnections.
  it('caps an IPv6 site (/48) at SITE_FACTOR clients, however many /64s it spreads over', () => {
    expect(clientKeys('2001:db8:1:2::1')).toEqual(['2001:db8:1:2::/64', '2001:db8:1::/48']);
    expect(clientKeys('203.0.113.9')).toEqual(['203.0.113.9']);
    const perClient = 3;
    const counts = new ClientCounts(perClient);
    const taken: string[][] = [];
    // One connection from each of many /64s of one /48: the site's cap, then no more.
    for (let i = 0; i < perClient * SITE_FACTOR; i++) {
      const t = counts.take(`2001:db8:1:${(i + 1).toString(16)}::1`);
      if (!('keys' in t)) throw new Error(`refused at ${i}`);
      taken.push(t.keys);
    }
    expect(counts.take('2001:db8:1:ffff::1')).toEqual({ refusedBy: '2001:db8:1::/48' });
    // Another site, and IPv4 clients, are counted apart.
    expect(counts.take('2001:db8:2:1::1')).toHaveProperty('keys');
    expect(counts.take('203.0.113.9')).toHaveProperty('keys');
    // One closed: the site has room for one again.
    counts.release(taken.pop() as string[]);
    expect(counts.take('2001:db8:1:ffff::1')).toHaveProperty('keys');
    // A /64 keeps its own cap inside the site.
    const solo = new ClientCounts(perClient);
    for (let i = 0; i < perClient; i++) expect(solo.take(`2001:db8:9:1::${i + 1}`)).toHaveProperty('keys');
    expect(solo.take('2001:db8:9:1::ff')).toEqual({ refusedBy: '2001:db8:9:1::/64' });
    // Nothing is left behind once all close.
    const gone = new ClientCounts(perClient);
    const t = gone.take('2001:db8:1:2::1');
    if ('keys' in t) gone.release(t.keys);
    expect(gone.size).toBe(0);
  });
});

describe('connections in all (--max-connections)', () => {
  it('keeps the cap, closes one more at once, and accepts again once one closes', async () => {
    const logs: string[] = [];
    const { url } = await serve({ maxConnections: 10 }, logs);
    const held = (await Promise.all(Array.from({ length: 10 }, (_, i) => hold(url, `127.0.1.${i + 1}`, 1)))).flat();
    expect(held.filter((c) => c.isClosed())).toHaveLength(0);

    const over = await open(url, '127.0.2.1');
    over.write(GET('/healthz'));
    await refusedWithin(over, 1000);
    await allAnswered(held);
    expect(logs).toContainEqual(expect.stringContaining('1 over --max-connections 10'));

    (held[0] as RawClient).socket.destroy();
    await sleep(100);
    const again = await open(url, '127.0.2.1');
    again.write(GET('/healthz'));
    await again.waitFor(HEALTHY);
  });

  it('is lowered to what the open-file limit leaves after the open towns and the reserve, and says so', async () => {
    const logs: string[] = [];
    await serve({ maxConnections: 1_000_000, maxOpenTowns: 10 }, logs);
    const line = logs.find((l) => l.startsWith('accepting at most'));
    const [, accepted, limit] =
      line?.match(
        /^accepting at most (\d+) connections, not 1000000: the open-file limit is (\d+), less 10 open towns \(raise it with ulimit -n\)$/,
      ) ?? [];
    // 128 reserved (control database, Node's own, webhooks), 3 per open town.
    expect(Number(accepted)).toBe(Number(limit) - 128 - 10 * 3);
  });
});

describe('an accept that fails', () => {
  // Node emits it as the server's error event; no test here can make the kernel fail an accept on cue.
  it('is logged once a minute at most, and the server goes on accepting', async () => {
    const logs: string[] = [];
    const server = createServer((socket) => socket.end('hello'));
    logAcceptErrors(server, (line) => logs.push(line));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      for (let i = 0; i < 3; i++)
        server.emit('error', Object.assign(new Error('accept EMFILE'), { code: 'EMFILE', syscall: 'accept' }));
      expect(logs).toEqual(['could not accept 1 connection since the last such line: EMFILE (the server goes on)']);
      const { port } = server.address() as { port: number };
      const c = await open(`http://127.0.0.1:${port}`, '127.0.0.2');
      await c.waitFor(/^hello$/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
