import { readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataArg } from './cli/main.js';
import { type RunningServer, startServer } from './serve.js';
import { isDiskFull } from './sqlite.js';
import { gasgauge, gasgaugeUnder } from './testing/cli.js';
import { killServers, serveProcess } from './testing/serve-process.js';
import { request } from './testing/server.js';
import { tempDir } from './testing/temp.js';

/**
 * A full disk over real HTTP. SQLite answers SQLITE_FULL alike for a full file system and for a
 * database at its `max_page_count`, which the test sets on the server's own connection to the town.
 */
let server: RunningServer;
let admin: string;
let townId: string;
let ingest: string;
const logs: string[] = [];

const usage = (id: string) => ({
  records: Array.from({ length: 200 }, (_, i) => ({
    id: `${id}-${i}-${'x'.repeat(200)}`,
    agentId: `agent-${i}`,
    model: 'm',
    inputTokens: 1,
    outputTokens: 1,
    costMicrodollars: 1,
    at: Date.now(),
  })),
});

beforeAll(async () => {
  server = await startServer({
    dataDir: tempDir('gg-full-'),
    port: 0,
    host: '127.0.0.1',
    autoTick: false,
    log: (l) => logs.push(l),
  });
  admin = server.adminToken as string;
  townId = (await request(server.url, 'POST', '/trpc/towns.create', admin, { name: 'full' })).body.result.data.id;
  ingest = (await request(server.url, 'POST', '/trpc/towns.mintIngestToken', admin, { townId })).body.result.data.token;
}, 30_000);
afterAll(() => server?.close());

describe('a full disk', () => {
  it('ingest is a 503 with Retry-After that stores nothing and logs no stack; once there is room again it is taken', async () => {
    const { sql } = server.towns.get(townId);
    const pages = Number(sql.rows('PRAGMA page_count')[0]?.[0]);
    sql.rows(`PRAGMA max_page_count = ${pages + 2}`);
    const res = await fetch(`${server.url}/api/towns/${townId}/usage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingest}`, 'content-type': 'application/json' },
      body: JSON.stringify(usage('full')),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect((await res.json()).error).toEqual({
      code: 'unavailable',
      message: 'the server is out of disk space: nothing was stored; retry later',
    });
    expect(logs.filter((l) => l.includes('internal error'))).toEqual([]);
    const read = await request(server.url, 'GET', `/api/towns/${townId}/metrics/throughput`, admin);
    expect(read.status).toBe(200); // reads go on

    sql.rows('PRAGMA max_page_count = 1073741823');
    const retried = await request(server.url, 'POST', `/api/towns/${townId}/usage`, ingest, usage('full'));
    expect([retried.status, retried.body.accepted]).toEqual([200, 200]);
  });
});

describe("a new town's first ingest on a full disk", () => {
  it('is a 503, not a 500, when its file cannot be written, and is taken once it can', async () => {
    const dataDir = tempDir('gg-full-new-');
    const lines: string[] = [];
    const s = await startServer({ dataDir, port: 0, host: '127.0.0.1', autoTick: false, log: (l) => lines.push(l) });
    try {
      const token = s.adminToken as string;
      const town = async (name: string) => {
        const id = (await request(s.url, 'POST', '/trpc/towns.create', token, { name })).body.result.data.id as string;
        const key = (await request(s.url, 'POST', '/trpc/towns.mintIngestToken', token, { townId: id })).body.result.data.token;
        return { id, key: key as string };
      };
      const first = await town('first');
      expect((await request(s.url, 'POST', `/api/towns/${first.id}/usage`, first.key, usage('first'))).status).toBe(200);
      // A real ENOSPC from the kernel, without root: the copy of the template a new town starts from goes to /dev/full.
      const second = await town('second');
      symlinkSync('/dev/full', join(dataDir, 'towns', `${second.id}.sqlite.new-${process.pid}`));
      const full = await fetch(`${s.url}/api/towns/${second.id}/usage`, {
        method: 'POST',
        headers: { authorization: `Bearer ${second.key}`, 'content-type': 'application/json' },
        body: JSON.stringify(usage('second')),
      });
      expect([full.status, full.headers.get('retry-after')]).toEqual([503, '1']);
      expect((await full.json()).error.code).toBe('unavailable');
      expect(lines.filter((l) => l.includes('internal error'))).toEqual([]);
      expect(readdirSync(join(dataDir, 'towns')).filter((f) => f.startsWith(second.id))).toEqual([]);
      const retried = await request(s.url, 'POST', `/api/towns/${second.id}/usage`, second.key, usage('second'));
      expect([retried.status, retried.body.accepted]).toEqual([200, 200]);
    } finally {
      await s.close();
    }
  });
});

describe('a file-size limit or a quota', () => {
  afterAll(killServers);
  it('is a 503 with Retry-After like a full disk, not a 500 with a stack (SQLite answers it SQLITE_IOERR_WRITE)', async () => {
    // A real EFBIG from the kernel, without root: the server runs under `ulimit -f` (a quota's EDQUOT reads the same).
    const s = await serveProcess(tempDir('gg-full-fsize-'), {}, ['--log-format', 'json'], { fsize: 2048 });
    const admin = s.adminToken as string;
    const id = (await request(s.url, 'POST', '/trpc/towns.create', admin, { name: 'capped' })).body.result.data.id as string;
    const key = (await request(s.url, 'POST', '/trpc/towns.mintIngestToken', admin, { townId: id })).body.result.data.token;
    let res = new Response(null);
    for (let i = 0; i < 200; i++) {
      res = await fetch(`${s.url}/api/towns/${id}/usage`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(usage(`fsize-${i}`)),
      });
      if (res.status !== 200) break;
    }
    expect([res.status, res.headers.get('retry-after')]).toEqual([503, '1']);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unavailable');
    expect(s.stderr.filter((l) => l.includes('internal error'))).toEqual([]);
    expect((await request(s.url, 'GET', `/api/towns/${id}/metrics/throughput`, admin)).status).toBe(200); // reads go on
  }, 60_000);
});

describe('a command that finds the disk full', () => {
  it('serve says where the disk is full and what to do, and exits 1', async () => {
    // A real ENOSPC from the kernel, without root: server.json is a link to /dev/full, which takes no write.
    const data = tempDir('gg-full-cli-');
    expect((await gasgauge('user', 'add', 'admin', '--data', data)).code).toBe(0);
    symlinkSync('/dev/full', join(data, 'server.json'));
    const r = await gasgauge('serve', '--data', data, '--port', '0');
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `gasgauge serve: out of disk space in the data dir ${data}: nothing was written; free some space and run it again`,
    );
  });

  it('serve on a disk too full for the -shm file SQLite reads a database with says so too, not "disk I/O error"', async () => {
    // No server has the data dir open: its first read of control.sqlite (WAL) makes a 32 KiB -shm file beside it,
    // which 16 KiB does not take (SQLITE_IOERR_SHMSIZE), as a full disk does not.
    const data = tempDir('gg-full-shm-');
    expect((await gasgauge('user', 'add', 'admin', '--data', data)).code).toBe(0);
    const r = await gasgaugeUnder(16, 'serve', '--data', data, '--port', '0');
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `gasgauge serve: out of disk space in the data dir ${data}: nothing was written; free some space and run it again`,
    );
    expect((await gasgaugeUnder(16, 'town', 'list', '--data', data)).stderr.trim()).toBe(
      `gasgauge town list: out of disk space in the data dir ${data}: nothing was written; free some space and run it again`,
    );
  });

  it('knows a full disk through any cause, and finds --data in either spelling', () => {
    expect(isDiskFull(Object.assign(new Error('disk'), { code: 'ENOSPC' }))).toBe(true);
    expect(isDiskFull(new Error('wrapped', { cause: Object.assign(new Error('full'), { code: 'SQLITE_FULL' }) }))).toBe(true);
    expect(isDiskFull(Object.assign(new Error('busy'), { code: 'SQLITE_BUSY' }))).toBe(false);
    for (const code of ['EDQUOT', 'EFBIG', 'SQLITE_IOERR_WRITE', 'SQLITE_IOERR_SHMSIZE'])
      expect(isDiskFull(Object.assign(new Error(code), { code }))).toBe(true);
    expect(dataArg(['serve', '--data', '/d'])).toBe('/d');
    expect(dataArg(['serve', '--data=/e'])).toBe('/e');
    expect(dataArg(['serve'])).toBeUndefined();
  });
});
