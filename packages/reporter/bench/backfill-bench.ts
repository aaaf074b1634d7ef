import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort, GASGAUGE_BIN, gasgauge } from '../src/testing/processes.js';
import { writeClaudeTree } from './claude-tree.js';

/** One process run to its exit: wall time, its own CPU time and peak RSS (written by METRICS_HOOK at exit). */
export interface ProcessSample {
  wallSeconds: number;
  cpuSeconds: number;
  peakRssBytes: number;
  stdout: string;
}

/**
 * Loaded with --import into each measured process: at exit, writes the process's own CPU time and
 * peak RSS (VmHWM: getrusage's maxRSS would start from the spawning bench's RSS) to GG_BENCH_METRICS.
 */
const METRICS_HOOK = `data:text/javascript,${encodeURIComponent(`
import { readFileSync, writeFileSync } from 'node:fs';
process.on('exit', () => {
  const file = process.env.GG_BENCH_METRICS;
  if (!file) return;
  const u = process.cpuUsage();
  const m = readFileSync('/proc/self/status', 'utf8').match(/^VmHWM:\\s+(\\d+) kB$/m);
  writeFileSync(file, JSON.stringify({ cpuUs: u.user + u.system, peakRss: m ? Number(m[1]) * 1024 : process.resourceUsage().maxRSS * 1024 }));
});`)}`;

const CCUSAGE = createRequire(import.meta.url).resolve('ccusage/src/cli.js');

async function measure(args: string[], env: NodeJS.ProcessEnv, metricsFile: string): Promise<ProcessSample> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env, GG_BENCH_METRICS: metricsFile, NODE_OPTIONS: `--import=${METRICS_HOOK}` },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  const wallSeconds = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}: ${stderr}`);
  const m = JSON.parse(readFileSync(metricsFile, 'utf8')) as { cpuUs: number; peakRss: number };
  return { wallSeconds, cpuSeconds: m.cpuUs / 1e6, peakRssBytes: m.peakRss, stdout };
}

/** CPU seconds (user + system) a running process has used so far, from /proc. */
export function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // utime and stime are fields 14 and 15 of /proc/pid/stat (1-based), in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export interface BackfillBenchOptions {
  /** Size of the generated Claude tree (default 300 MiB, the size in issue 11). */
  bytes?: number;
  dir?: string;
  log?: (line: string) => void;
}

export interface BackfillBenchResult {
  bytes: number;
  files: number;
  ccusage: ProcessSample;
  report: ProcessSample;
  /** A second `--once` on the unchanged tree, and a `--once` with no sources: their difference is the work. */
  again: ProcessSample;
  empty: ProcessSample;
  /** CPU seconds the server process spent during the first `--once`. */
  serverCpuSeconds: number;
  sent: number;
}

interface ServerProcess {
  url: string;
  adminToken: string;
  proc: ChildProcess;
}

async function startServer(data: string): Promise<ServerProcess> {
  const port = await freePort();
  const proc = spawn(process.execPath, [GASGAUGE_BIN, 'serve', '--data', data, '--port', String(port), '--json'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const first = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    proc.once('exit', (code) => reject(new Error(`gasgauge serve exited ${code}`)));
  });
  const { url, adminToken } = JSON.parse(first) as { url: string; adminToken: string };
  return { url, adminToken, proc };
}

/**
 * Issue 11's backfill race, side by side on one generated Claude tree: `ccusage claude session --offline
 * --json` (20.0.24) printing its report, against `gasgauge report --once` taking the same tree in and
 * delivering it until a real `gasgauge serve` (its own process, loopback) acknowledged every record.
 */
export async function benchBackfill(opts: BackfillBenchOptions = {}): Promise<BackfillBenchResult> {
  const log = opts.log ?? (() => {});
  const root = mkdtempSync(join(opts.dir ?? tmpdir(), 'gg-backfill-bench-'));
  let server: ServerProcess | undefined;
  try {
    const claude = join(root, 'claude');
    const tree = writeClaudeTree(claude, opts.bytes ?? 300 * 2 ** 20, log);
    log(`generated ${(tree.bytes / 2 ** 20).toFixed(0)} MiB in ${tree.files} files in ${tree.seconds.toFixed(1)} s`);
    const data = join(root, 'data');
    server = await startServer(data);
    const { town } = await gasgauge<{ town: { id: string } }>(['town', 'create', 'bench', '--owner', 'admin', '--data', data]);
    const { token } = await gasgauge<{ token: string }>(['token', 'mint', '--town', town.id, '--data', data]);
    const tokenFile = join(root, 'token');
    writeFileSync(tokenFile, token);
    const metrics = join(root, 'metrics.json');

    log('ccusage claude session --offline --json');
    const ccusage = await measure(
      [CCUSAGE, 'claude', 'session', '--offline', '--json'],
      { CLAUDE_CONFIG_DIR: claude, NO_COLOR: '1' },
      metrics,
    );
    const report = (configDir: string, state: string) =>
      measure(
        [
          GASGAUGE_BIN,
          'report',
          '--once',
          '--json',
          ...['--server', server?.url as string, '--town', town.id, '--token-file', tokenFile, '--state', state],
          ...['--claude-dir', configDir, '--no-codex', '--no-gemini', '--no-opencode'],
        ],
        {},
        metrics,
      );
    log('gasgauge report --once');
    const cpu0 = processCpuSeconds(server.proc.pid as number);
    const first = await report(claude, join(root, 'state'));
    const serverCpuSeconds = processCpuSeconds(server.proc.pid as number) - cpu0;
    const summary = JSON.parse(first.stdout) as { delivered: boolean; sent: number };
    if (!summary.delivered) throw new Error(`gasgauge report --once did not deliver: ${first.stdout}`);
    log('gasgauge report --once, again on the unchanged tree; and on an empty tree');
    const again = await report(claude, join(root, 'state'));
    const emptyDir = join(root, 'empty');
    mkdirSync(emptyDir);
    const empty = await report(emptyDir, join(root, 'state-empty'));
    return { bytes: tree.bytes, files: tree.files, ccusage, report: first, again, empty, serverCpuSeconds, sent: summary.sent };
  } finally {
    server?.proc.kill('SIGTERM');
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const mb = Number(process.argv[2] ?? 300);
  benchBackfill({ bytes: mb * 2 ** 20, log: (l) => process.stderr.write(`${l}\n`) }).then(
    (r) => process.stdout.write(`${JSON.stringify(r, (k, v) => (k === 'stdout' ? undefined : v), 2)}\n`),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
