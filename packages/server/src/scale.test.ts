import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { mintIngestToken } from '@gasgauge/api';
import { Control } from '@gasgauge/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataDir } from './data-dir.js';
import { openSqlite } from './sqlite.js';
import { procStats, type Served, serveProcess } from './testing/serve-process.js';
import { request } from './testing/server.js';
import { tempDir } from './testing/temp.js';

/**
 * 10,000 towns (GG_SCALE_TOWNS for a quicker local run; GG_SCALE_PROGRESS=1 for progress) through one real server process with 512 file descriptors and at most 64 open towns:
 * every town gets an ingest over HTTP and is read back, a sample is re-sent after its town was closed
 * (exactly once across close and reopen), and the process's descriptors and memory stay bounded
 * (/proc), with no error. Before the LRU the server died at its descriptor limit after ~170 towns.
 *
 * The data dir is on tmpfs (/dev/shm) when there is one: closing a town that took writes checkpoints
 * its WAL with fsyncs, ~20 ms each on this project's CI disk, which alone would take minutes for 10,000
 * towns. What this test bounds (descriptors, memory, errors) does not depend on the disk.
 */
const TOWNS = Number(process.env.GG_SCALE_TOWNS ?? 10_000);
const MAX_OPEN = 64;
const NOFILE = 512;
const CONCURRENCY = 8;
const RESENT = 300;
const ROUND = 50;
// The server takes at most 10 calls in one batched tRPC request (MAX_TRPC_BATCH).
const READ_BATCH = 10;
/** Progress on stderr, for a run that takes long on a busy machine. */
const progress = (line: string) => process.env.GG_SCALE_PROGRESS && process.stderr.write(`scale: ${line}\n`);

interface Setup {
  server: Served;
  dataDir: string;
  towns: string[];
  tokens: string[];
}

/** A server process under `nofile` descriptors with `n` towns of the admin, and an ingest token for each. */
async function setup(n: number, maxOpen: number, nofile: number): Promise<Setup> {
  const dataDir = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/gg-scale-') : tempDir('gg-scale-');
  // --tick-ms 60000: a town that took ingest ticks once a minute (each such tick reopens it: see the report).
  const server = await serveProcess(dataDir, {}, ['--max-open-towns', String(maxOpen), '--tick-ms', '60000'], { nofile });
  // The towns, created through the control store as the CLI beside the server does (one transaction for speed).
  const sql = openSqlite(new DataDir(dataDir).controlFile);
  let towns: string[];
  try {
    const control = new Control(sql, () => Date.now(), { maxTownsPerOwner: n });
    const owner = control.userByName('admin')?.id as string;
    towns = sql.transaction(() =>
      Array.from({ length: n }, (_, i) => control.createTown(`town_scale_${i}`, `Scale ${i}`, { userId: owner }).id),
    );
  } finally {
    sql.close();
  }
  const secret = new DataDir(dataDir).secret();
  const tokens = await Promise.all(
    towns.map(async (townId) => (await mintIngestToken(secret, { townId, ttlSeconds: 3600, now: Date.now() })).token),
  );
  return { server, dataDir, towns, tokens };
}

const setups: Setup[] = [];
afterAll(async () => {
  for (const { server, dataDir } of setups) {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

let server: Served;
let dataDir: string;
let towns: string[] = [];
let tokens: string[] = [];

beforeAll(async () => {
  const s = await setup(TOWNS, MAX_OPEN, NOFILE);
  setups.push(s);
  ({ server, dataDir, towns, tokens } = s);
}, 60_000);

const record = (i: number) => ({
  id: `msg_${i}`,
  agentId: 'a1',
  model: 'claude-sonnet-4-5',
  mode: 'delta',
  inputTokens: 0,
  outputTokens: i + 1,
  costMicrodollars: 0,
  at: Date.now(),
});

/** Runs `fn` over 0..n-1 with `CONCURRENCY` in flight. */
async function pool(n: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

describe(`${TOWNS.toLocaleString('en')} towns, ${MAX_OPEN} open at most, ulimit -n ${NOFILE}`, () => {
  it('ingests into every town and reads it back with bounded descriptors and memory, and no error', async () => {
    const errors: string[] = [];
    const samples: ReturnType<typeof procStats>[] = [procStats(server.pid)];
    expect(samples[0]?.nofile).toBe(NOFILE);
    const started = performance.now();

    const ingest = async (i: number, expected: { accepted: number; duplicates: number }) => {
      const townId = towns[i] as string;
      const r = await request(server.url, 'POST', `/api/towns/${townId}/usage`, tokens[i] as string, { records: [record(i)] });
      if (r.status !== 200 || r.body.accepted !== expected.accepted || r.body.duplicates !== expected.duplicates)
        errors.push(`ingest ${townId}: ${r.status} ${JSON.stringify(r.body)}`);
    };
    const epochStart = Date.now() - 60_000;
    /** Towns `from` to `from + READ_BATCH` read back in one tRPC batch: each holds one record of i + 1 output tokens. */
    const readBack = async (from: number) => {
      const ids = towns.slice(from, from + READ_BATCH);
      const to = Date.now() + 60_000;
      const input = Object.fromEntries(ids.map((townId, k) => [k, { townId, from: epochStart, to, maxPoints: 1 }]));
      const path = `/trpc/${ids.map(() => 'metrics.timeseries').join(',')}?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`;
      const r = await request(server.url, 'GET', path, server.adminToken);
      if (r.status !== 200) errors.push(`read from ${from}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      else
        ids.forEach((townId, k) => {
          const series = (r.body[k]?.result?.data?.series?.output_tokens ?? []) as (number | null)[];
          const got = series.reduce<number>((a, v) => a + (v ?? 0), 0);
          if (got !== from + k + 1)
            errors.push(`read ${townId}: ${got} output tokens, ${JSON.stringify(r.body[k]).slice(0, 300)}`);
        });
    };
    let done = 0;
    const sample = () => {
      samples.push(procStats(server.pid));
      progress(`${done} towns, ${((performance.now() - started) / 1000).toFixed(1)} s, ${JSON.stringify(samples.at(-1))}`);
    };
    // In rounds of a few hundred towns: ingest each, then read them back while most are still open.
    for (let from = 0; from < TOWNS; from += ROUND) {
      const n = Math.min(ROUND, TOWNS - from);
      await pool(n, (k) => ingest(from + k, { accepted: 1, duplicates: 0 }));
      await pool(Math.ceil(n / READ_BATCH), (b) => readBack(from + b * READ_BATCH));
      done = from + n;
      if (done % 1000 === 0) sample();
    }
    const ingestSeconds = (performance.now() - started) / 1000;
    // The first towns were closed long ago (64 open at most): their record ids come back from the file.
    await pool(RESENT, (i) => ingest(i, { accepted: 0, duplicates: 1 }));
    await pool(RESENT / READ_BATCH, (b) => readBack(b * READ_BATCH));
    sample();

    const last = samples.at(-1) as ReturnType<typeof procStats>;
    const maxFds = Math.max(...samples.map((s) => s.fds));
    console.log(
      `scale: ${TOWNS} towns ingested and read back in ${ingestSeconds.toFixed(1)} s; fds max ${maxFds} (limit ${NOFILE}); ` +
        `RSS ${last.rssMiB.toFixed(0)} MiB, peak ${last.hwmMiB.toFixed(0)} MiB; fds ${samples.map((s) => s.fds).join(' ')}`,
    );
    expect(errors.slice(0, 5)).toEqual([]);
    expect(server.stderr.filter((l) => /fail|error/i.test(l))).toEqual([]);
    // 3 per open town (database, WAL, shared memory) plus the control database, sockets and Node's own.
    expect(maxFds).toBeLessThanOrEqual(MAX_OPEN * 3 + 64);
    expect(last.hwmMiB).toBeLessThan(400);
    expect(readdirSync(join(dataDir, 'towns')).filter((f) => f.endsWith('.sqlite'))).toHaveLength(TOWNS);
  }, 900_000);
});

describe('a descriptor limit below what --max-open-towns needs', () => {
  it('keeps fewer towns open, says so, and serves every request', async () => {
    const s = await setup(150, 10_000, 256); // 150 open towns would need 450 descriptors
    setups.push(s);
    const failures: string[] = [];
    await pool(s.towns.length, async (i) => {
      const r = await request(s.server.url, 'POST', `/api/towns/${s.towns[i]}/usage`, s.tokens[i] as string, {
        records: [record(i)],
      });
      if (r.status !== 200 || r.body.accepted !== 1) failures.push(`${s.towns[i]}: ${r.status} ${JSON.stringify(r.body)}`);
    });
    expect(failures.slice(0, 3)).toEqual([]);
    expect(procStats(s.server.pid).fds).toBeLessThanOrEqual(256);
    expect(
      s.server.stderr.some((line) =>
        line.includes('keeping at most 21 towns open, not 10000: the open-file limit is 256 (raise it with ulimit -n)'),
      ),
    ).toBe(true);
  }, 120_000);
});
