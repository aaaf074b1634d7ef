import { connect, type Socket } from 'node:net';
import { MAX_BODY_BYTES, MAX_BODY_BYTES_IN_FLIGHT } from '@gasgauge/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killServers, procStats, type Served, serveProcess } from './testing/serve-process.js';
import { request, trpcPath } from './testing/server.js';
import { tempDir } from './testing/temp.js';

/*
 * The attack: clients each send a tRPC body of 1 MiB but its last byte and hold the connection. tRPC
 * read a body before its credential, so each held 1 MiB of the server even without any credential:
 * 1,500 of them grew it by 1.6 GB, and the open-file limit's worth (20,000) would run it out of memory.
 * Now a body is read only for a caller whose credential holds, and all callers' bodies in flight share
 * one budget.
 */

afterAll(killServers);

let s: Served;
let townId: string;
let ingestToken: string;
beforeAll(async () => {
  s = await serveProcess(tempDir('gg-budget-'));
  const admin = s.adminToken as string;
  const town = await request(s.url, 'POST', trpcPath('towns.create'), admin, { name: 'budget' });
  townId = town.body.result.data.id;
  const minted = await request(s.url, 'POST', trpcPath('towns.mintIngestToken'), admin, { townId });
  ingestToken = minted.body.result.data.token;
});

interface Holder {
  socket: Socket;
  /** The status line of the answer, once one came. */
  answer: Promise<string>;
}

/** A connection that sends a 1 MiB body to tRPC (with `token`, if given), all but its last byte, and waits. */
function holdBody(url: string, token?: string): Holder {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  socket.on('error', () => {});
  const answer = new Promise<string>((resolve) => {
    socket.once('data', (d) => resolve(d.toString('latin1').split('\r\n')[0] ?? ''));
    socket.once('close', () => resolve('closed'));
  });
  socket.write(
    `POST /trpc/towns.create HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${MAX_BODY_BYTES}\r\n${
      token ? `Authorization: Bearer ${token}\r\n` : ''
    }\r\n`,
  );
  socket.write(Buffer.alloc(MAX_BODY_BYTES - 1, 0x20));
  return { socket, answer };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function usage(id: string) {
  return { records: [{ id, agentId: 'a1', model: 'm', inputTokens: 1, outputTokens: 1, costMicrodollars: 1, at: Date.now() }] };
}

describe('request bodies held by slow clients are bounded for the whole process', () => {
  it('past the budget the server answers 503 instead of buffering, and gets every byte back when they leave', async () => {
    const before = procStats(s.pid).rssMiB;
    // Twice the budget's worth of held bodies: without the budget all of them sit in memory.
    const holders = Array.from({ length: (2 * MAX_BODY_BYTES_IN_FLIGHT) / MAX_BODY_BYTES }, () =>
      holdBody(s.url, s.adminToken as string),
    );
    // Wait until the server has read what it will of them: the budget's worth, the rest answered 503.
    let refused = 0;
    for (let i = 0; i < 100 && refused < holders.length / 2; i++) {
      await sleep(100);
      const answers = await Promise.all(holders.map((h) => Promise.race([h.answer, sleep(0).then(() => '')])));
      refused = answers.filter((a) => a.startsWith('HTTP/1.1 503')).length;
    }
    expect(refused).toBeGreaterThanOrEqual(holders.length / 2);

    // An ingest with a valid token waits its turn like the rest: 503 with Retry-After, nothing stored.
    const shed = await fetch(`${s.url}/api/towns/${townId}/usage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingestToken}`, 'content-type': 'application/json' },
      // Larger than what the held bodies leave free (under one socket read of 64 KiB).
      body: JSON.stringify(usage('shed')) + ' '.repeat(128 * 1024),
    });
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('1');
    expect(((await shed.json()) as { error: unknown }).error).toMatchObject({ code: 'unavailable', path: 'body' });

    const grown = procStats(s.pid).rssMiB - before;
    console.log(`${holders.length} held 1 MiB bodies: the server grew ${grown.toFixed(0)} MiB, ${refused} answered 503`);
    expect(grown).toBeLessThan(MAX_BODY_BYTES_IN_FLIGHT / 2 ** 20 + 100);

    // The clients that hold the budget go away before their bodies end: the budget must come back.
    for (const h of holders) h.socket.destroy();
    let stored = await request(s.url, 'POST', `/api/towns/${townId}/usage`, ingestToken, usage('after'));
    for (let i = 0; i < 50 && stored.status === 503; i++) {
      await sleep(100);
      stored = await request(s.url, 'POST', `/api/towns/${townId}/usage`, ingestToken, usage('after'));
    }
    expect(stored.status, JSON.stringify(stored.body)).toBe(200);
    expect(stored.body.accepted).toBe(1);
    expect(s.stderr.filter((l) => l.includes('internal error'))).toEqual([]);
  }, 60_000);

  it('a tRPC body without a valid credential is not read: 401 at once, the server does not grow', async () => {
    const before = procStats(s.pid).rssMiB;
    const holders = Array.from({ length: 256 }, () => holdBody(s.url));
    const answers = await Promise.all(holders.map((h) => h.answer));
    for (const h of holders) h.socket.destroy();
    // Answered (401, Connection: close) before the body ended; a client still sending may see the close
    // (a reset) before it reads the answer. Before the fix none was answered: each waited for its last byte.
    expect(answers.filter((a) => !a.startsWith('HTTP/1.1 401') && a !== 'closed')).toEqual([]);
    expect(answers.filter((a) => a.startsWith('HTTP/1.1 401')).length).toBeGreaterThan(0);
    const grown = procStats(s.pid).rssMiB - before;
    console.log(`256 bodies without a credential: the server grew ${grown.toFixed(0)} MiB`);
    expect(grown).toBeLessThan(64);
    // A token that is not one is no credential either.
    const forged = holdBody(s.url, 'ggu_forged');
    expect(await forged.answer).toMatch(/^(HTTP\/1.1 401|closed$)/);
    forged.socket.destroy();
  }, 60_000);
});
