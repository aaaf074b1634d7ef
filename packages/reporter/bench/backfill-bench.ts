import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort, GASGAUGE_BIN, type GasgaugeCommand, gasgauge } from '../src/testing/processes.js';
import { ISSUE_PADDING, writeClaudeTree } from './claude-tree.js';
import { type BenchRow, PEAK_RSS_TARGET_BYTES } from './tail-bench.js';

/** One process run to its exit, measured by GNU time: wall time, CPU time (its children's included), peak RSS. */
export interface ProcessSample {
  wallSeconds: number;
  cpuSeconds: number;
  peakRssBytes: number;
  /** Minor page faults (GNU time %R): dear in a VM, where fresh memory is faulted in from the host. */
  minorFaults: number;
  stdout: string;
}

const TIME = '/usr/bin/time';
const CCUSAGE = createRequire(import.meta.url).resolve('ccusage/src/cli.js');

/**
 * Runs a command under GNU time (`/usr/bin/time`): ccusage 20 runs a native executable from its Node
 * launcher, so the launcher's own process.cpuUsage() would miss nearly all of its work; GNU time's
 * figures include the children it waited for.
 */
async function measure(file: string, args: string[], env: NodeJS.ProcessEnv, dir: string): Promise<ProcessSample> {
  const out = join(dir, 'time.txt');
  const child = spawn(TIME, ['-o', out, '-f', '%e %U %S %M %R', file, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
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
  if (code !== 0) throw new Error(`${file} ${args.join(' ')} exited ${code}: ${stderr}`);
  const [wall, user, sys, rssKb, faults] = (readFileSync(out, 'utf8').trim().split('\n').pop() ?? '').split(' ').map(Number);
  return {
    wallSeconds: wall ?? Number.NaN,
    cpuSeconds: (user ?? Number.NaN) + (sys ?? Number.NaN),
    peakRssBytes: (rssKb ?? Number.NaN) * 1024,
    minorFaults: faults ?? Number.NaN,
    stdout,
  };
}

/** CPU seconds (user + system) a running process has used so far, from /proc (clock ticks of 1/100 s). */
export function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Waits until a process spent under 50 ms of CPU over the last 6 s (at most `maxMs`): the server's ticks after
 * taking a backfill in (indexing the records, rollups, billing) are its work, not the next reporter run's. A
 * window longer than the server's 5 s tick: a shorter one (500 ms) fell between two ticks, and the next tick,
 * still working through the backlog, ran during the second `--once` (0.62 s of CPU, 0.83 s wall, in one run).
 */
async function settled(pid: number, maxMs = 60_000): Promise<void> {
  const until = Date.now() + maxMs;
  const samples = [processCpuSeconds(pid)];
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, 500));
    samples.push(processCpuSeconds(pid));
    if (samples.length > 13) samples.shift();
    if (samples.length === 13 && (samples[12] as number) - (samples[0] as number) < 0.05) return;
  }
}

export interface BackfillBenchOptions {
  /** The `gasgauge` to run (default: the clone's, through tsx; `npm run bench` passes the installed package). */
  gasgauge?: GasgaugeCommand;
  /** Size of the generated Claude tree (default 300 MiB, the size in issue 11). */
  bytes?: number;
  /** Unchanged transcript files the idle reporter watches (default 10,000). */
  idleFiles?: number;
  /** How long the idle reporter's CPU is measured (default 60 s: one full safety rescan falls in it). */
  idleSeconds?: number;
  dir?: string;
  log?: (line: string) => void;
}

export interface BackfillBenchResult {
  bytes: number;
  files: number;
  ccusage: ProcessSample;
  report: ProcessSample;
  /** The same first `--once` (a fresh state) delivering to a server that stores nothing (see nullServer). */
  reportToNull: ProcessSample;
  /** A second `--once` on the unchanged tree, and a `--once` with no sources: their difference is the work. */
  again: ProcessSample;
  empty: ProcessSample;
  /** CPU seconds the server process spent during the first `--once`. */
  serverCpuSeconds: number;
  sent: number;
  idle: { files: number; seconds: number; cpuSeconds: number };
}

/**
 * A loopback HTTP server that reads each request whole and answers as an ingest route would, storing nothing:
 * what `report --once` costs without a real server's work beside it on the same cores (it runs in the bench's
 * process; reading the bodies is all it does).
 */
function nullServer(): Promise<{ url: string; close: () => void }> {
  const server = createServer((req, res) => {
    req.on('data', () => {});
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"accepted":0,"duplicates":0}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => server.close() });
    }),
  );
}

interface ServerProcess {
  url: string;
  proc: ChildProcess;
}

async function startServer([file, ...pre]: GasgaugeCommand, data: string): Promise<ServerProcess> {
  const port = await freePort();
  const proc = spawn(file, [...pre, 'serve', '--data', data, '--port', String(port), '--json'], {
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
  return { url: (JSON.parse(first) as { url: string }).url, proc };
}

/** `count` small transcripts (one response each) in 100 project directories: what an idle reporter watches. */
function writeIdleTree(configDir: string, count: number): void {
  for (let i = 0; i < count; i++) {
    const d = join(configDir, 'projects', `p${i % 100}`);
    if (i < 100) mkdirSync(d, { recursive: true });
    const line = {
      type: 'assistant',
      cwd: `/work/town/rig/polecats/p${i % 100}`,
      sessionId: `s${i}`,
      version: '2.0.31',
      timestamp: new Date(Date.now() - 86_400_000).toISOString(),
      requestId: `req_idle_${i}`,
      message: { id: `msg_idle_${i}`, model: 'claude-sonnet-4-5-20250929', usage: { input_tokens: 10, output_tokens: 5 } },
    };
    writeFileSync(join(d, `s${i}.jsonl`), `${JSON.stringify(line)}\n`);
  }
}

/**
 * Issue 11's backfill race, side by side on one generated Claude tree: `ccusage claude session --offline
 * --json` (20.0.24) printing its report, against `gasgauge report --once` taking the same tree in and
 * delivering it until a real `gasgauge serve` (its own process, loopback) acknowledged every record; then
 * a second `--once` on the unchanged tree, and a running reporter idle over 10,000 unchanged files.
 */
export async function benchBackfill(opts: BackfillBenchOptions = {}): Promise<BackfillBenchResult> {
  if (!existsSync(TIME)) throw new Error(`${TIME} (GNU time) is needed to measure ccusage's native process`);
  const log = opts.log ?? (() => {});
  const cmd = opts.gasgauge ?? ([process.execPath, GASGAUGE_BIN] as const);
  const root = mkdtempSync(join(opts.dir ?? tmpdir(), 'gg-backfill-bench-'));
  let server: ServerProcess | undefined;
  let idler: ChildProcess | undefined;
  try {
    const claude = join(root, 'claude');
    const tree = writeClaudeTree(claude, opts.bytes ?? 300 * 2 ** 20, ISSUE_PADDING, log);
    log(`generated ${(tree.bytes / 2 ** 20).toFixed(0)} MiB in ${tree.files} files in ${tree.seconds.toFixed(1)} s`);
    const data = join(root, 'data');
    server = await startServer(cmd, data);
    const { town } = await gasgauge<{ town: { id: string } }>(
      ['town', 'create', 'bench', '--owner', 'admin', '--data', data],
      cmd,
    );
    const { token } = await gasgauge<{ token: string }>(['token', 'mint', '--town', town.id, '--data', data], cmd);
    const tokenFile = join(root, 'token');
    writeFileSync(tokenFile, token);

    log('ccusage claude session --offline --json');
    const ccusage = await measure(
      process.execPath,
      [CCUSAGE, 'claude', 'session', '--offline', '--json'],
      { CLAUDE_CONFIG_DIR: claude, NO_COLOR: '1' },
      root,
    );
    const reportArgs = (configDir: string, state: string, once: boolean) => [
      ...cmd.slice(1),
      'report',
      ...(once ? ['--once', '--json'] : []),
      ...['--server', server?.url as string, '--town', town.id, '--token-file', tokenFile, '--state', state],
      ...['--claude-dir', configDir, '--no-codex', '--no-gemini', '--no-opencode'],
    ];
    const report = (configDir: string, state: string) => measure(cmd[0], reportArgs(configDir, state, true), {}, root);
    log('gasgauge report --once');
    const cpu0 = processCpuSeconds(server.proc.pid as number);
    const first = await report(claude, join(root, 'state'));
    const serverCpuSeconds = processCpuSeconds(server.proc.pid as number) - cpu0;
    const summary = JSON.parse(first.stdout) as { delivered: boolean; sent: number };
    if (!summary.delivered) throw new Error(`gasgauge report --once did not deliver: ${first.stdout}`);
    log('gasgauge report --once, with a fresh state, to a server that stores nothing (the reporter alone)');
    const sink = await nullServer();
    const reportToNull = await measure(
      cmd[0],
      reportArgs(claude, join(root, 'state-null'), true).map((a) => (a === server?.url ? sink.url : a)),
      {},
      root,
    ).finally(() => sink.close());
    log('gasgauge report --once, again on the unchanged tree (once the server is idle); and on an empty tree');
    await settled(server.proc.pid as number);
    const again = await report(claude, join(root, 'state'));
    const emptyDir = join(root, 'empty');
    mkdirSync(emptyDir);
    const empty = await report(emptyDir, join(root, 'state-empty'));

    const idleFiles = opts.idleFiles ?? 10_000;
    const idleSeconds = opts.idleSeconds ?? 60;
    log(
      `idle: ${idleFiles} unchanged transcripts, taken in with --once, then watched by a running reporter for ${idleSeconds} s`,
    );
    const idleTree = join(root, 'idle');
    writeIdleTree(idleTree, idleFiles);
    await report(idleTree, join(root, 'state-idle'));
    idler = spawn(cmd[0], reportArgs(idleTree, join(root, 'state-idle'), false), { stdio: 'ignore' });
    // Its first poll lists and checks every file (and sets the watches): not idle yet.
    await new Promise((r) => setTimeout(r, 5000));
    const idle0 = processCpuSeconds(idler.pid as number);
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    const idleCpu = processCpuSeconds(idler.pid as number) - idle0;
    return {
      bytes: tree.bytes,
      files: tree.files,
      ccusage,
      report: first,
      reportToNull,
      again,
      empty,
      serverCpuSeconds,
      sent: summary.sent,
      idle: { files: idleFiles, seconds: idleSeconds, cpuSeconds: idleCpu },
    };
  } finally {
    idler?.kill('SIGTERM');
    server?.proc.kill('SIGTERM');
    rmSync(root, { recursive: true, force: true });
  }
}

const IDLE_TARGET = 0.01;
const AGAIN_TARGET_SECONDS = 0.5;

export function backfillBenchRows(r: BackfillBenchResult): BenchRow[] {
  const s = (n: number) => `${n.toFixed(2)} s`;
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;
  const ratio = r.report.wallSeconds / r.ccusage.wallSeconds;
  const work = r.again.wallSeconds - r.empty.wallSeconds;
  const idleShare = r.idle.cpuSeconds / r.idle.seconds;
  return [
    {
      name: 'Reporter backfill vs ccusage (report --once ÷ ccusage session)',
      value: `${ratio.toFixed(2)}×`,
      target: '≤ 1×',
      pass: ratio <= 1,
      detail:
        `${mib(r.bytes)} Claude tree in ${r.files} files: \`gasgauge report --once\` ${s(r.report.wallSeconds)} until ${r.sent} records were acknowledged ` +
        `(reporter CPU ${s(r.report.cpuSeconds)}, ${r.report.minorFaults} minor page faults; server CPU ${s(r.serverCpuSeconds)}); ` +
        `\`ccusage claude session --offline --json\` 20.0.24 ${s(r.ccusage.wallSeconds)} (CPU ${s(r.ccusage.cpuSeconds)}, peak RSS ${mib(r.ccusage.peakRssBytes)}, ${r.ccusage.minorFaults} minor page faults)`,
    },
    {
      name: 'Reporter backfill vs ccusage, CPU time',
      value: `${(r.report.cpuSeconds / r.ccusage.cpuSeconds).toFixed(2)}× (${((r.report.cpuSeconds + r.serverCpuSeconds) / r.ccusage.cpuSeconds).toFixed(2)}× with the server)`,
      target: '',
      pass: null,
      detail: 'the same runs: CPU time depends much less than wall time on what else the machine runs',
    },
    {
      name: 'Reporter backfill to a server that stores nothing, vs ccusage',
      value: `${(r.reportToNull.wallSeconds / r.ccusage.wallSeconds).toFixed(2)}×`,
      target: '',
      pass: null,
      detail:
        `the same \`--once\` with a fresh state, to a loopback server that reads each request and answers without storing: ` +
        `${s(r.reportToNull.wallSeconds)} (CPU ${s(r.reportToNull.cpuSeconds)}). The reporter's own share; the first row's ` +
        'time past it is the real server storing the records on the same cores',
    },
    {
      name: 'Reporter backfill: peak RSS',
      value: mib(r.report.peakRssBytes),
      target: `< ${mib(PEAK_RSS_TARGET_BYTES)}`,
      pass: r.report.peakRssBytes < PEAK_RSS_TARGET_BYTES,
      detail: 'the `gasgauge report --once` process (GNU time maxrss)',
    },
    {
      name: 'Reporter second --once on the unchanged tree: work',
      value: s(work),
      target: `< ${s(AGAIN_TARGET_SECONDS)}`,
      pass: work < AGAIN_TARGET_SECONDS,
      detail: `${s(r.again.wallSeconds)} wall (CPU ${s(r.again.cpuSeconds)}) less ${s(r.empty.wallSeconds)} for a \`--once\` with an empty tree (process start, state, server round trip)`,
    },
    {
      name: `Reporter idle, ${r.idle.files.toLocaleString('en-US')} unchanged files watched`,
      value: `${(idleShare * 100).toFixed(2)} % of a core`,
      target: `< ${IDLE_TARGET * 100} %`,
      pass: idleShare < IDLE_TARGET,
      detail: `${s(r.idle.cpuSeconds)} CPU over ${r.idle.seconds} s of a running \`gasgauge report\` (one full safety rescan falls in it), from /proc/PID/stat`,
    },
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [mb, bin] = process.argv.slice(2);
  benchBackfill({
    bytes: Number(mb ?? 300) * 2 ** 20,
    ...(bin ? { gasgauge: [bin] as const } : {}),
    log: (l) => process.stderr.write(`${l}\n`),
  }).then(
    (r) => {
      for (const row of backfillBenchRows(r)) process.stdout.write(`${row.name}: ${row.value} (${row.target}) ${row.detail}\n`);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
