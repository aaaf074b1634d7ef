import { readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { mintIngestToken } from '@gasgauge/api';
import { Control } from '@gasgauge/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataDir } from './data-dir.js';
import { openSqlite } from './sqlite.js';
import { killServers, procStats, type Served, serveProcess } from './testing/serve-process.js';
import { connectFrom, type RawClient, sleep } from './testing/sockets.js';
import { tempDir } from './testing/temp.js';

/*
 * A server process under a low open-file limit, and clients from ten loopback addresses opening far
 * more connections than it has descriptors for (as an attack from many addresses would): the server
 * keeps to its connection cap, so it still has the descriptors to open towns for a client already
 * connected, stays up, and serves everyone once the attack ends. Before the cap the attack took every
 * descriptor and opening a town failed.
 */

const NOFILE = 512;
const MAX_OPEN = 64;
/** What the limit leaves: 512, less 128 reserved and 3 for each of the 64 towns the LRU may keep open. */
const MAX_CONNECTIONS = NOFILE - 128 - MAX_OPEN * 3;
const ATTACKERS = 10;
const TOWNS = 12;

let server: Served;
let towns: string[] = [];
let tokens: string[] = [];
beforeAll(async () => {
  const dataDir = tempDir('gg-conn-fds-');
  server = await serveProcess(dataDir, {}, ['--max-open-towns', String(MAX_OPEN), '--tick-ms', '60000'], { nofile: NOFILE });
  const sql = openSqlite(new DataDir(dataDir).controlFile);
  try {
    const control = new Control(sql, () => Date.now());
    const owner = control.userByName('admin')?.id as string;
    towns = Array.from({ length: TOWNS }, (_, i) => control.createTown(`town_fds_${i}`, `Fds ${i}`, { userId: owner }).id);
  } finally {
    sql.close();
  }
  const secret = new DataDir(dataDir).secret();
  tokens = await Promise.all(
    towns.map(async (townId) => (await mintIngestToken(secret, { townId, ttlSeconds: 3600, now: Date.now() })).token),
  );
}, 60_000);
afterAll(async () => {
  await server?.stop();
  killServers();
});

interface Answer {
  status: number;
  /** Whether it came on a connection an earlier request had used (the keep-alive one). */
  reused: boolean;
  body: string;
}

/** One request through `agent` (which may keep its connection across calls), from `localAddress`. */
function send(agent: Agent, localAddress: string, path: string, auth?: { token: string; body: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      server.url + path,
      {
        method: auth ? 'POST' : 'GET',
        agent,
        localAddress,
        headers: auth ? { authorization: `Bearer ${auth.token}`, 'content-type': 'application/json' } : {},
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket, body: text }));
      },
    );
    req.setTimeout(5_000, () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', reject);
    req.end(auth?.body);
  });
}

/** TCP connections established on 127.0.0.1:`port`, the server's side of each (from /proc/net/tcp). */
function establishedTo(port: number): number {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => {
      const [, localAddress, , state] = line.trim().split(/\s+/);
      return localAddress === local && state === '01';
    }).length;
}

/** One ingest into town `i`: the first into a town creates and opens its database (3 descriptors). */
function ingest(agent: Agent, i: number, localAddress: string): Promise<Answer> {
  const body = JSON.stringify({
    records: [
      {
        id: `r${i}`,
        agentId: 'a1',
        model: 'm',
        mode: 'delta',
        inputTokens: 1,
        outputTokens: 1,
        costMicrodollars: 1,
        at: Date.now(),
      },
    ],
  });
  return send(agent, localAddress, `/api/towns/${towns[i]}/usage`, { token: tokens[i] as string, body });
}

describe(`a server with ${NOFILE} descriptors, and ${ATTACKERS} addresses opening connections past them`, () => {
  it('keeps to its connection cap, opens towns for a client already connected, and serves everyone after', {
    timeout: 120_000,
  }, async () => {
    expect(server.stderr).toContainEqual(
      expect.stringContaining(
        `accepting at most ${MAX_CONNECTIONS} connections, not 10000: the open-file limit is ${NOFILE}, less ${MAX_OPEN} open towns`,
      ),
    );
    const user = new Agent({ keepAlive: true, maxSockets: 1 });
    expect((await ingest(user, 0, '127.0.0.1')).status).toBe(200);

    // 640 connections, each holding an unfinished request. Loopback clients are not capped per client (a
    // reverse proxy on this machine is every client), so only the total cap stands, as against many addresses.
    const attack: RawClient[] = [];
    await Promise.all(
      Array.from({ length: ATTACKERS }, async (_, a) => {
        for (let i = 0; i < 64; i++) {
          const c = await connectFrom(server.url, `127.0.0.${10 + a}`).catch(() => undefined);
          if (!c) continue;
          c.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
          attack.push(c);
        }
      }),
    );
    await sleep(500);
    const during = procStats(server.pid);
    expect(during.nofile).toBe(NOFILE);
    // The server holds exactly its cap (the user's connection and 191 of the attack's) and no more.
    expect(establishedTo(Number(new URL(server.url).port))).toBe(MAX_CONNECTIONS);

    // Each ingest opens another town (3 descriptors), on the connection the user already has.
    for (let i = 1; i < TOWNS - 1; i++) {
      const r = await ingest(user, i, '127.0.0.1');
      expect(r, `town ${i}`).toMatchObject({ status: 200, reused: true });
    }
    // The web UI reads its files on each request.
    expect(await send(user, '127.0.0.1', '/')).toMatchObject({ status: 200, reused: true });
    expect(await send(user, '127.0.0.1', '/favicon.svg')).toMatchObject({ status: 200, reused: true });
    expect(procStats(server.pid).fds).toBeLessThan(NOFILE);
    user.destroy();

    for (const c of attack) c.socket.destroy();
    await sleep(500);
    const after = new Agent({ keepAlive: false });
    expect((await ingest(after, TOWNS - 1, '127.0.0.9')).status).toBe(200);
    expect(server.child.exitCode).toBeNull();
    expect(server.stderr.filter((l) => /uncaught|EMFILE|internal/i.test(l))).toEqual([]);
    console.log(
      `fds: ${during.fds} of ${NOFILE} during the attack (${attack.length} connections attempted, cap ${MAX_CONNECTIONS}), ${procStats(server.pid).fds} after`,
    );
  });
});
