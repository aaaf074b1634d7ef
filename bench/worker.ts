import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { newUserToken } from '@gasgauge/api';
import { startWorker, type WorkerProcess } from '../packages/worker/src/testing/wrangler-dev.js';
import type { BenchServer } from './env.js';
import { MAX_RECORDS_PER_TOWN } from './ingest.js';
import type { LoadClient, LoadJob, LoadResult } from './load.js';
import { progress } from './log.js';
import type { Row } from './report.js';
import { fmtInt, fmtMs, percentile } from './stats.js';

const CONCURRENCY = 8;
const DAY = 86_400_000;
const WEEK = 7 * DAY;

/** Where a job goes: a host's base URL, a user token, and a way to make a town with an ingest token. */
interface Target {
  url: string;
  userToken: string;
  town(name: string): Promise<{ townId: string; ingestToken: string }>;
}

/**
 * The Worker rows: the same jobs against `wrangler dev --local` (workerd, a Durable Object per town,
 * SQLite in a temp `--persist-to`) and, alternated with them in the same run, against the Node bench
 * server, so each row is a ratio to Node under the same machine load. The 7-day read uses a town filled
 * over HTTP on both hosts alike (one record a minute for a week: counters, no gauge samples).
 */
export async function benchWorker(node: BenchServer, load: LoadClient, dir: string): Promise<Row[]> {
  const adminToken = newUserToken();
  progress('worker: starting wrangler dev --local');
  const worker = await startWorker({
    persistTo: join(dir, 'worker'),
    adminToken,
    secret: randomBytes(32).toString('base64url'),
    tickMs: 5000,
  });
  try {
    const targets = { node: nodeTarget(node), worker: workerTarget(worker, adminToken) };
    const rows: Row[] = [];
    const batch500 = await both(targets, load, 'batch 500', (t, token, townId) => usage(t, token, townId, 500, 4000));
    const recs = (r: LoadResult) => (r.accepted / r.elapsedMs) * 1000;
    rows.push(
      ratioRow(
        'Worker: usage ingest, batch 500',
        `${fmtInt(recs(batch500.worker))} records/s`,
        recs(batch500.worker) / recs(batch500.node),
        batch500,
        'records/s',
        recs,
      ),
    );
    const batch1 = await both(targets, load, 'batch 1', (t, token, townId) => usage(t, token, townId, 1, 3000));
    const rps = (r: LoadResult) => (r.requests / r.elapsedMs) * 1000;
    rows.push(
      ratioRow(
        'Worker: usage ingest, batch 1',
        `${fmtInt(rps(batch1.worker))} req/s`,
        rps(batch1.worker) / rps(batch1.node),
        batch1,
        'req/s',
        rps,
      ),
    );
    rows.push(await timeseriesRow(targets, load));
    return rows;
  } finally {
    await worker.stop();
  }
}

function nodeTarget(node: BenchServer): Target {
  return {
    url: node.url,
    userToken: node.userToken,
    town: async (name) => {
      const townId = node.createTown(name);
      return { townId, ingestToken: await node.ingestToken(townId) };
    },
  };
}

function workerTarget(w: WorkerProcess, adminToken: string): Target {
  const trpc = async (proc: string, input: unknown) => {
    const res = await fetch(`${w.url}/trpc/${proc}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    if (!res.ok) throw new Error(`${proc}: HTTP ${res.status} ${await res.text()}`);
    return ((await res.json()) as { result: { data: { id: string; token: string } } }).result.data;
  };
  return {
    url: w.url,
    userToken: adminToken,
    town: async (name) => {
      const townId = (await trpc('towns.create', { name })).id;
      return { townId, ingestToken: (await trpc('towns.mintIngestToken', { townId })).token };
    },
  };
}

function usage(t: Target, token: string, townId: string, batch: number, maxMs: number): LoadJob {
  return {
    kind: 'usage',
    url: t.url,
    token,
    path: `/api/towns/${townId}/usage`,
    batch,
    concurrency: CONCURRENCY,
    maxMs,
    // Within a town's hourly cost bound (see MAX_RECORDS_PER_TOWN).
    maxRequests: Math.floor(MAX_RECORDS_PER_TOWN / batch),
  };
}

/** Warm-up on both, then the measured run on Node and on the Worker, each on a town of its own. */
async function both(
  targets: { node: Target; worker: Target },
  load: LoadClient,
  what: string,
  job: (t: Target, token: string, townId: string) => LoadJob,
): Promise<{ node: LoadResult; worker: LoadResult }> {
  const out = new Map<string, LoadResult>();
  for (const [name, t] of [
    ['node', targets.node],
    ['worker', targets.worker],
  ] as const) {
    const warm = await t.town(`bench-${what}-warm`);
    progress(`worker bench ${what}: ${name} warm-up`);
    await load.run({ ...job(t, warm.ingestToken, warm.townId), maxMs: 1000 });
    const { townId, ingestToken } = await t.town(`bench-${what}`);
    progress(`worker bench ${what}: ${name} measuring`);
    const r = await load.run(job(t, ingestToken, townId));
    if (r.errors > 0) throw new Error(`${name} ${what}: ${r.errors} failed, first: ${r.firstError}`);
    out.set(name, r);
  }
  return { node: out.get('node') as LoadResult, worker: out.get('worker') as LoadResult };
}

function ratioRow(
  name: string,
  value: string,
  ratio: number,
  r: { node: LoadResult; worker: LoadResult },
  unit: string,
  rate: (r: LoadResult) => number,
): Row {
  const w = r.worker;
  return {
    name,
    value,
    target: '—',
    pass: null,
    detail: `${ratio.toFixed(2)}× Node (${fmtInt(rate(r.node))} ${unit} in the same run); ${fmtInt(w.requests)} requests, ${CONCURRENCY} in flight, p50 ${fmtMs(percentile(w.latenciesMs, 50))}, p95 ${fmtMs(percentile(w.latenciesMs, 95))} (Node p50 ${fmtMs(percentile(r.node.latenciesMs, 50))})`,
  };
}

/** A week of one record a minute, posted in batches of 500 (10,080 records), then 200 sequential 7-day reads. */
async function timeseriesRow(targets: { node: Target; worker: Target }, load: LoadClient): Promise<Row> {
  const p50s = new Map<string, number>();
  for (const [name, t] of [
    ['node', targets.node],
    ['worker', targets.worker],
  ] as const) {
    const { townId, ingestToken } = await t.town('bench-week');
    progress(`worker bench timeseries: ${name} fill`);
    await fillWeek(t.url, townId, ingestToken);
    const job = {
      kind: 'timeseries',
      url: t.url,
      token: t.userToken,
      townId,
      spanMs: WEEK,
      maxPoints: 500,
      concurrency: 1,
    } as const;
    await load.run({ ...job, maxRequests: 20, maxMs: 5000 });
    progress(`worker bench timeseries: ${name} measuring`);
    const r = await load.run({ ...job, maxRequests: 200, maxMs: 30_000 });
    if (r.errors > 0) throw new Error(`${name} timeseries: ${r.errors} failed, first: ${r.firstError}`);
    p50s.set(name, percentile(r.latenciesMs, 50));
  }
  const w = p50s.get('worker') as number;
  const n = p50s.get('node') as number;
  return {
    name: 'Worker: timeseries 7 d / 500 points, REST, p50',
    value: fmtMs(w),
    target: '—',
    pass: null,
    detail: `${(w / n).toFixed(2)}× Node's p50 (${fmtMs(n)}) on the same HTTP-filled town (a record a minute for 7 days), 200 sequential GETs`,
  };
}

async function fillWeek(url: string, townId: string, token: string): Promise<void> {
  const end = Date.now();
  const start = end - WEEK;
  for (let t0 = start; t0 < end; t0 += 500 * 60_000) {
    const records = [];
    for (let t = t0; t < Math.min(end, t0 + 500 * 60_000); t += 60_000) {
      records.push({
        id: `w${t}`,
        agentId: `a${t % 7}`,
        model: 'm',
        inputTokens: 1000,
        outputTokens: 100,
        costMicrodollars: 50,
        at: t,
        mode: 'delta',
      });
    }
    const res = await fetch(`${url}/api/towns/${townId}/usage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ records }),
    });
    if (!res.ok) throw new Error(`fill: HTTP ${res.status} ${await res.text()}`);
  }
}
