import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pack } from '../pack/build.js';
import { installPackage } from '../pack/install.js';
import { progress } from './log.js';
import { type Row, textTable } from './report.js';
import { fmtMs, percentile } from './stats.js';

/** Runs of each packaged command (interleaved with bare Node, so load on the machine hits them alike). */
const RUNS = 15;
/** Runs of the clone's tsx start, which is ~10× slower and only shown for comparison. */
const TSX_RUNS = 5;
const TARGET_MS = 250;
const CLONE_BIN = fileURLToPath(new URL('../packages/server/bin/gasgauge.mjs', import.meta.url));

/** Prints the process's own CPU time (user + system, since it started) on stderr as it exits. */
const CPU_REPORTER = `data:text/javascript,${encodeURIComponent(
  "process.on('exit', () => { const u = process.cpuUsage(); process.stderr.write('cpu-us=' + (u.user + u.system) + '\\n'); });",
)}`;

interface Sample {
  wallMs: number;
  cpuMs: number;
}

/**
 * Wall time of one process from spawn to exit, and the CPU time it used: on a machine others share, wall time
 * follows the load (bare Node varies 3×), CPU time much less. Throws if the process fails.
 */
function timeRun(file: string, args: string[]): Sample {
  const env = { ...process.env, NODE_OPTIONS: `--import=${CPU_REPORTER}` };
  const t0 = performance.now();
  const r = spawnSync(file, args, { stdio: ['ignore', 'ignore', 'pipe'], env, encoding: 'utf8' });
  const wallMs = performance.now() - t0;
  const cpu = r.stderr.match(/cpu-us=(\d+)/);
  if (r.status !== 0 || !cpu) throw new Error(`${file} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { wallMs, cpuMs: Number(cpu[1]) / 1000 };
}

/** `npm run pack`, the tarball installed with npm into `dir/prefix`: the `gasgauge` executable a user gets. */
export async function installGasgauge(dir: string): Promise<string> {
  progress('packing and installing gasgauge');
  mkdirSync(join(dir, 'prefix'), { recursive: true });
  return installPackage(await pack(dir), join(dir, 'prefix')).bin;
}

/**
 * 7. How long `gasgauge` takes to start: the installed package (`npm run pack`, installed with npm into a temp
 * prefix) for `--version`, `--help` and `user add` (opens the control database, writes a user), against bare
 * `node -e 0` in the same run, and the clone's `npx gasgauge` (tsx) for comparison. Median of the runs.
 */
export async function benchStart(dir: string, installed?: string): Promise<Row[]> {
  const bin = installed ?? (await installGasgauge(dir));
  const data = join(dir, 'data');
  let users = 0;
  const userAdd = () => ['user', 'add', `bench-${users++}`, '--data', data];
  timeRun(bin, userAdd()); // creates the control database; the runs below measure a plain command

  type Key = 'node' | 'version' | 'help' | 'userAdd' | 'tsxHelp' | 'tsxUserAdd';
  const samples: Record<Key, Sample[]> = { node: [], version: [], help: [], userAdd: [], tsxHelp: [], tsxUserAdd: [] };
  const add = (key: Key, sample: Sample) => samples[key].push(sample);
  for (let i = 0; i < RUNS; i++) {
    add('node', timeRun(process.execPath, ['-e', '0']));
    add('version', timeRun(bin, ['--version']));
    add('help', timeRun(bin, ['--help']));
    add('userAdd', timeRun(bin, userAdd()));
    if (i < TSX_RUNS) {
      add('tsxHelp', timeRun(process.execPath, [CLONE_BIN, '--help']));
      add('tsxUserAdd', timeRun(process.execPath, [CLONE_BIN, ...userAdd()]));
    }
  }
  const p = (key: Key, q: number, of: keyof Sample = 'wallMs') =>
    percentile(
      samples[key].map((s) => s[of]),
      q,
    );
  const node = `bare \`node -e 0\` ${fmtMs(p('node', 50))} (CPU ${fmtMs(p('node', 50, 'cpuMs'))})`;
  progress(`start: ${node}`);
  const packaged = (name: string, key: Key): Row => ({
    name: `CLI start, installed package: ${name}`,
    value: fmtMs(p(key, 50)),
    target: `≤ ${TARGET_MS} ms`,
    pass: p(key, 50) <= TARGET_MS,
    detail: `median of ${RUNS}, p95 ${fmtMs(p(key, 95))}; CPU ${fmtMs(p(key, 50, 'cpuMs'))}; ${node} in the same runs`,
  });
  const clone = (name: string, key: Key): Row => ({
    name: `CLI start, clone with tsx: ${name}`,
    value: fmtMs(p(key, 50)),
    target: '',
    pass: null,
    detail: `median of ${TSX_RUNS}, CPU ${fmtMs(p(key, 50, 'cpuMs'))}: \`node packages/server/bin/gasgauge.mjs\` (what \`npx gasgauge\` runs), for comparison`,
  });
  return [
    packaged('--version', 'version'),
    packaged('--help', 'help'),
    packaged('user add', 'userAdd'),
    clone('--help', 'tsxHelp'),
    clone('user add', 'tsxUserAdd'),
  ];
}

// `npx tsx bench/start.ts`: these rows alone, on stdout (BENCHMARKS.md is left as it is).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = mkdtempSync(join(tmpdir(), 'gg-bench-start-'));
  try {
    process.stdout.write(`${textTable(await benchStart(dir))}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
