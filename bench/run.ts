import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchBackfillRows } from './backfill.js';
import { benchBeads } from './beads.js';
import { type BenchServer, startBenchServer } from './env.js';
import { eventOrderRow } from './event-order.js';
import { benchIngestBatch, benchIngestSingle, benchOtlp } from './ingest.js';
import { LoadClient } from './load.js';
import { progress } from './log.js';
import { benchPage } from './page.js';
import { machine, markdown, type Row, textTable, writeMarkdown } from './report.js';
import { benchScale } from './scale.js';
import { benchStart, installGasgauge } from './start.js';
import { benchTailRows } from './tail.js';
import { benchTick } from './tick.js';
import { benchTimeseries } from './timeseries.js';
import { benchWorker } from './worker.js';

/**
 * `npm run bench`: every measurement in one run, the table on stdout, BENCHMARKS.md at the repo root.
 * `npm run bench -- scale` runs only the 10,000-town rows and prints them (BENCHMARKS.md is left as it is);
 * `npm run bench -- ingest` likewise only the ingest rows (to compare a change to ingest before and after);
 * `-- beads` the bead reads on a 100k-record town, `-- tick` the 1,000-town tick, `-- worker` the Worker rows.
 */
const OUTPUT = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));

async function main(): Promise<void> {
  if (process.argv[2] === 'scale') return onlyScale();
  if (process.argv[2] === 'ingest') return onlyIngest();
  if (process.argv[2] === 'worker') return onlyWorker();
  if (process.argv[2] === 'beads') return onlyBeads();
  if (process.argv[2] === 'tick') return onlyTick();
  const started = performance.now();
  const date = new Date();
  const dir = mkdtempSync(join(tmpdir(), 'gg-bench-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  progress(`data in ${dir}`);
  const rows: Row[] = [];
  let server: BenchServer | undefined;
  const load = new LoadClient();
  try {
    server = await startBenchServer(join(dir, 'server'));
    rows.push(...(await benchIngestBatch(server, load)));
    rows.push(...(await benchIngestSingle(server, load)));
    rows.push(...(await benchOtlp(server, load)));
    rows.push(eventOrderRow(dir));
    rows.push(...(await benchTimeseries(server, load)));
    rows.push(...(await benchWorker(server, load, dir)));
    await server.close();
    server = undefined;
    rows.push(...benchTick(join(dir, 'tick')));
    rows.push(...benchScale(join(dir, 'scale')));
    rows.push(...(await benchPage(join(dir, 'page'))));
    rows.push(...(await benchTailRows(dir)));
    const bin = await installGasgauge(join(dir, 'install'));
    rows.push(...(await benchBackfillRows(dir, bin)));
    // The backfill rows wrote and deleted a 300 MB tree: written back first, its disk work landed in the start
    // rows' timings (a bare `node -e 0` 142 ms against 107 ms alone, `--version` 263 ms against 166 ms).
    execFileSync('sync');
    rows.push(...(await benchStart(join(dir, 'start'), bin)));
  } finally {
    load.close();
    await server?.close();
    cleanup();
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`${textTable(rows)}\n`);
  writeMarkdown(OUTPUT, markdown(rows, machine(), date, seconds));
  progress(`wrote ${OUTPUT} (${seconds.toFixed(0)} s)`);
}

async function onlyIngest(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gg-bench-'));
  const load = new LoadClient();
  const server = await startBenchServer(join(dir, 'server'));
  try {
    const rows = [...(await benchIngestBatch(server, load)), ...(await benchIngestSingle(server, load)), eventOrderRow(dir)];
    process.stdout.write(`${textTable(rows)}\n`);
  } finally {
    load.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function onlyScale(): void {
  const dir = mkdtempSync(join(tmpdir(), 'gg-bench-'));
  try {
    process.stdout.write(`${textTable(benchScale(dir))}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `npm run bench -- beads`: only the bead reads on a 100k-record town and /healthz beside them, printed. */
async function onlyBeads(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gg-bench-'));
  const server = await startBenchServer(join(dir, 'server'));
  try {
    process.stdout.write(`${textTable(await benchBeads(server))}\n`);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `npm run bench -- tick`: only the 1,000-town tick row, printed. */
function onlyTick(): void {
  const dir = mkdtempSync(join(tmpdir(), 'gg-bench-'));
  try {
    process.stdout.write(`${textTable(benchTick(join(dir, 'tick')))}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `npm run bench -- worker`: only the Worker rows (and the Node runs they are ratios to), printed. */
async function onlyWorker(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gg-bench-'));
  const load = new LoadClient();
  const server = await startBenchServer(join(dir, 'server'));
  try {
    process.stdout.write(`${textTable(await benchWorker(server, load, dir))}\n`);
  } finally {
    load.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
