import { decodeOtlp, type Encoding } from '../packages/api/src/otlp/decode.js';
import { OTLP } from '../packages/api/src/otlp/schema.js';
import {
  claudeCodeLogs,
  claudeCodeLogsJson,
  JSON_SHAPES,
  leastDecodeMs,
  SHAPES,
} from '../packages/api/src/otlp/testing/hostile.js';
import type { BenchServer } from './env.js';
import { NOOP_PATH } from './env.js';
import type { LoadClient, LoadJob, LoadResult, OtlpJob, PostUsageJob } from './load.js';
import { progress } from './log.js';
import { POINTS_PER_AGENT } from './otlp-body.js';
import type { Row } from './report.js';
import { fmtInt, fmtMs, percentile } from './stats.js';

const CONCURRENCY = 8;

/** A load run plus the CPU this (server) process spent meanwhile: steadier than req/s on a shared machine. */
interface Measured extends LoadResult {
  serverCpuUs: number;
}

async function measured(load: LoadClient, job: LoadJob): Promise<Measured> {
  const before = process.cpuUsage();
  const result = await load.run(job);
  const cpu = process.cpuUsage(before);
  return { ...result, serverCpuUs: cpu.user + cpu.system };
}

/** Several runs of one job shape, pooled: total requests over total time, all latencies. */
interface Pooled {
  /** Server CPU per request, µs. */
  cpuUs: number;
  requests: number;
  accepted: number;
  rps: number;
  p50: number;
  p95: number;
  bodyBytes: number;
}

function pool(results: Measured[], what: string): Pooled {
  const requests = results.reduce((n, r) => n + r.requests, 0);
  const elapsed = results.reduce((n, r) => n + r.elapsedMs, 0);
  const errors = results.reduce((n, r) => n + r.errors, 0);
  if (errors > 0) throw new Error(`${what}: ${errors} failed requests, first: ${results.find((r) => r.firstError)?.firstError}`);
  const latencies = results.flatMap((r) => Array.from(r.latenciesMs));
  return {
    cpuUs: results.reduce((n, r) => n + r.serverCpuUs, 0) / requests,
    requests,
    accepted: results.reduce((n, r) => n + r.accepted, 0),
    rps: (requests / elapsed) * 1000,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    bodyBytes: results.reduce((n, r) => n + r.bodyBytes, 0) / requests,
  };
}

function usageJob(server: BenchServer, path: string, token: string, batch: number) {
  return (maxMs: number, maxRequests: number): PostUsageJob => ({
    kind: 'usage',
    url: server.url,
    token,
    concurrency: CONCURRENCY,
    path,
    batch,
    maxMs,
    maxRequests,
  });
}

/**
 * A town counts at most 10¹¹ µ$ an hour (docs/api.md): at ~0.16 $ a bench record that is ~600,000 records,
 * a few seconds of this bench. So each run gets a town of its own, and a measured run at most this many.
 */
export const MAX_RECORDS_PER_TOWN = 500_000;

/** A fresh town and a job of `batch`-record requests to it (see MAX_RECORDS_PER_TOWN). */
async function freshUsageJob(server: BenchServer, name: string, batch: number) {
  const townId = server.createTown(name);
  const job = usageJob(server, `/api/towns/${townId}/usage`, await server.ingestToken(townId), batch);
  return (maxMs: number) => job(maxMs, Math.floor(MAX_RECORDS_PER_TOWN / batch));
}

/** 1. Batch-500 ingest throughput in records/s, on a town of its own (warmed up on another). */
export async function benchIngestBatch(server: BenchServer, load: LoadClient): Promise<Row[]> {
  progress('ingest batch 500: warm-up');
  await load.run((await freshUsageJob(server, 'bench-ingest-500-warm-up', 500))(1500));
  progress('ingest batch 500: measuring');
  const job = await freshUsageJob(server, 'bench-ingest-500', 500);
  const r = pool([await measured(load, job(6000))], 'ingest batch 500');
  const recordsPerSec = (r.rps * r.accepted) / r.requests;
  return [
    {
      name: 'Usage ingest over HTTP, batch 500',
      value: `${fmtInt(recordsPerSec)} records/s`,
      target: '≥ 100,000 records/s',
      pass: recordsPerSec >= 100_000,
      detail: `${fmtInt(r.requests)} requests (${fmtInt(r.accepted)} records accepted), ${fmtInt(r.bodyBytes / 1024)} KiB bodies, ${CONCURRENCY} in flight, p50 ${fmtMs(r.p50)}, p95 ${fmtMs(r.p95)}, server CPU ${fmtInt(r.cpuUs / 500)} µs/record`,
    },
  ];
}

/** 2. Batch-1 ingest vs a no-op POST with a body of the same size, alternated to share any background noise. */
export async function benchIngestSingle(server: BenchServer, load: LoadClient): Promise<Row[]> {
  const townId = server.createTown('bench-ingest-1');
  const token = await server.ingestToken(townId);
  const ingest = usageJob(server, `/api/towns/${townId}/usage`, token, 1);
  const noop = usageJob(server, NOOP_PATH, token, 1);
  progress('ingest batch 1 / no-op: warm-up');
  await load.run(noop(1000, 1_000_000));
  await load.run(ingest(1000, 1_000_000));
  const ingestRuns: Measured[] = [];
  const noopRuns: Measured[] = [];
  for (let round = 1; round <= 2; round++) {
    progress(`ingest batch 1 / no-op: round ${round} of 2`);
    noopRuns.push(await measured(load, noop(3000, 200_000)));
    ingestRuns.push(await measured(load, ingest(3000, 200_000)));
  }
  const i = pool(ingestRuns, 'ingest batch 1');
  const n = pool(noopRuns, 'no-op');
  const ratio = n.rps / i.rps;
  const common = `${CONCURRENCY} in flight, ${fmtInt(i.bodyBytes)} B bodies`;
  return [
    {
      name: 'Usage ingest over HTTP, batch 1',
      value: `${fmtInt(i.rps)} req/s`,
      target: '—',
      pass: null,
      detail: `${fmtInt(i.requests)} requests, ${common}, p50 ${fmtMs(i.p50)}, p95 ${fmtMs(i.p95)}, server CPU ${fmtInt(i.cpuUs)} µs/request`,
    },
    {
      name: 'No-op POST, same client and body size',
      value: `${fmtInt(n.rps)} req/s`,
      target: '—',
      pass: null,
      detail: `${fmtInt(n.requests)} requests, ${common}, p50 ${fmtMs(n.p50)}, p95 ${fmtMs(n.p95)}, server CPU ${fmtInt(n.cpuUs)} µs/request`,
    },
    {
      name: 'Batch-1 ingest cost vs no-op (no-op req/s ÷ ingest req/s)',
      value: `${ratio.toFixed(2)}×`,
      target: '≤ 2×',
      pass: ratio <= 2,
      detail: `p50 latency ratio ${(i.p50 / n.p50).toFixed(2)}×, server CPU per request ratio ${(i.cpuUs / n.cpuUs).toFixed(2)}×`,
    },
  ];
}

const OTLP_AGENTS = 100;

/**
 * 3. OTLP/HTTP protobuf ingest of one 1-second Claude Code export from 100 agents (500 data points),
 * beside the JSON usage route with batches of the same 500 records, alternated in one run.
 */
export async function benchOtlp(server: BenchServer, load: LoadClient): Promise<Row[]> {
  const otlpTown = server.createTown('bench-otlp');
  const otlp = (maxMs: number, maxRequests: number): OtlpJob => ({
    kind: 'otlp',
    url: server.url,
    token: '',
    concurrency: CONCURRENCY,
    agents: OTLP_AGENTS,
    maxMs,
    maxRequests,
  });
  const otlpToken = await server.ingestToken(otlpTown);
  const withToken = (job: OtlpJob): OtlpJob => ({ ...job, token: otlpToken });
  const json = (name: string) => freshUsageJob(server, `bench-otlp-json-${name}`, OTLP_AGENTS * POINTS_PER_AGENT);
  progress('OTLP vs JSON usage: warm-up');
  await load.run(withToken(otlp(1000, 1_000_000)));
  await load.run((await json('warm-up'))(1000));
  const otlpRuns: Measured[] = [];
  const jsonRuns: Measured[] = [];
  for (let round = 1; round <= 2; round++) {
    progress(`OTLP vs JSON usage: round ${round} of 2`);
    otlpRuns.push(await measured(load, withToken(otlp(3000, 4000))));
    jsonRuns.push(await measured(load, (await json(`round-${round}`))(3000)));
  }
  const o = pool(otlpRuns, 'OTLP ingest');
  const j = pool(jsonRuns, 'JSON usage 500');
  const points = OTLP_AGENTS * POINTS_PER_AGENT;
  const otlpPerSec = (o.rps * o.accepted) / o.requests;
  const jsonPerSec = (j.rps * j.accepted) / j.requests;
  return [
    {
      name: `OTLP/HTTP protobuf ingest, one Claude Code export of ${OTLP_AGENTS} agents (${points} points)`,
      value: `${fmtInt(otlpPerSec)} points/s`,
      target: '—',
      pass: null,
      detail: `${fmtInt(o.requests)} exports, ${fmtInt(o.bodyBytes / 1024)} KiB bodies, ${CONCURRENCY} in flight, p50 ${fmtMs(o.p50)}, p95 ${fmtMs(o.p95)}, server CPU ${fmtInt(o.cpuUs / points)} µs/point`,
    },
    {
      name: `JSON usage route, same run, batches of ${points} records`,
      value: `${fmtInt(jsonPerSec)} records/s`,
      target: '—',
      pass: null,
      detail: `${fmtInt(j.requests)} requests, ${fmtInt(j.bodyBytes / 1024)} KiB bodies, p50 ${fmtMs(j.p50)}, p95 ${fmtMs(j.p95)}, server CPU ${fmtInt(j.cpuUs / points)} µs/record; OTLP is ${(otlpPerSec / jsonPerSec).toFixed(2)}× its rate`,
    },
    otlpDecodeRow(),
  ];
}

/**
 * 3b. The CPU one OTLP body can cost the event loop: every hostile shape of testing/hostile.ts (empty
 * messages, tiny attributes, deep values, unknown fields, huge varints, …) at 1 MiB, ½, ¼ and ⅛, decoded
 * in-process, against a real Claude Code logs export of 1 MiB in protobuf and in JSON.
 */
export function otlpDecodeRow(): Row {
  progress('OTLP decode: hostile bodies');
  const MiB = 1 << 20;
  const real = claudeCodeLogs(MiB);
  const realJson = claudeCodeLogsJson(MiB);
  const realMs = Math.max(
    leastDecodeMs(() => decodeOtlp(OTLP.logsRequest, real, 'protobuf')),
    leastDecodeMs(() => decodeOtlp(OTLP.logsRequest, realJson, 'json')),
  );
  let worst = { ms: 0, name: '', bytes: 0 };
  const shapes = [
    ...SHAPES.map((shape) => ({ ...shape, encoding: 'protobuf' as Encoding })),
    ...JSON_SHAPES.map((shape) => ({ ...shape, encoding: 'json' as Encoding })),
  ];
  for (const shape of shapes)
    for (const size of [MiB, MiB / 2, MiB / 4, MiB / 8]) {
      const bytes = shape.body(size);
      const type = shape.signal === 'logs' ? OTLP.logsRequest : OTLP.metricsRequest;
      const ms = leastDecodeMs(() => decodeOtlp(type, bytes, shape.encoding));
      if (ms > worst.ms) worst = { ms, name: `${shape.name} (${shape.encoding})`, bytes: bytes.length };
    }
  const ratio = worst.ms / realMs;
  return {
    name: 'OTLP decode: the costliest hostile body of at most 1 MiB, vs a real 1 MiB export',
    value: `${ratio.toFixed(2)}×`,
    target: '≤ 3×',
    pass: ratio <= 3,
    detail: `${shapes.length} shapes × 4 sizes, least of 5 runs each; costliest ${worst.name} of ${fmtInt(worst.bytes / 1024)} KiB, ${fmtMs(worst.ms)}; a real Claude Code logs export of 1 MiB ${fmtMs(realMs)} (the costlier of protobuf and JSON)`,
  };
}
