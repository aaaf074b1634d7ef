import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bundle, ROOT } from '../../../pack/bundle.js';
import { TAIL_PADDING, writeClaudeTree } from './claude-tree.js';

const run = promisify(execFile);

export interface TailBenchOptions {
  /** Size of the generated transcript directory (default 1 GiB). */
  bytes?: number;
  /** Parent of the temp dir (default the system temp dir). */
  dir?: string;
  log?: (line: string) => void;
}

export interface TailBenchResult {
  bytes: number;
  files: number;
  generateSeconds: number;
  /** Wall time of tailing the whole directory once, from empty state. */
  tailSeconds: number;
  /** Lines that carried usage, per second (every streamed copy counts). */
  usageLinesPerSecond: number;
  /** Distinct responses stored for delivery. */
  records: number;
  megabytesPerSecond: number;
  /** Peak RSS of the process that tailed (its own child process). */
  peakRssBytes: number;
}

/** The shape of a row in bench/report.ts, so `npm run bench` can list these with the rest. */
export interface BenchRow {
  name: string;
  value: string;
  target: string;
  pass: boolean | null;
  detail: string;
}

export const PEAK_RSS_TARGET_BYTES = 200 * 2 ** 20;

/**
 * Generates a Claude Code transcript directory of ~1 GiB (realistic line sizes: ~2.5 KB assistant and
 * tool-result lines; streamed copies, subagents, resumed sessions — see src/testing/transcripts.ts),
 * tails it once with the reporter in a child process, and deletes it. Generation is part of the run.
 */
export async function benchTail(opts: TailBenchOptions = {}): Promise<TailBenchResult> {
  const target = opts.bytes ?? 2 ** 30;
  const log = opts.log ?? (() => {});
  const root = mkdtempSync(join(opts.dir ?? tmpdir(), 'gg-tail-bench-'));
  try {
    const configDir = join(root, 'claude');
    const { bytes, files, seconds: generateSeconds } = writeClaudeTree(configDir, target, TAIL_PADDING, log);
    log(`generated ${(bytes / 2 ** 20).toFixed(0)} MiB in ${generateSeconds.toFixed(1)} s; tailing`);

    const child = await bundleTailChild();
    const { stdout } = await run(process.execPath, [child, configDir, join(root, 'state')], {
      maxBuffer: 1 << 20,
    });
    const r = JSON.parse(stdout.trim().split('\n').pop() as string) as {
      usageLines: number;
      records: number;
      seconds: number;
      bytes: number;
      peakRssBytes: number;
    };
    return {
      bytes,
      files,
      generateSeconds,
      tailSeconds: r.seconds,
      usageLinesPerSecond: r.usageLines / r.seconds,
      records: r.records,
      megabytesPerSecond: r.bytes / 2 ** 20 / r.seconds,
      peakRssBytes: r.peakRssBytes,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * tail-child.ts bundled as the package bundles the CLI (its parse worker too), so the RSS measured is the
 * reporter's as users run it; tsx, running the clone's TypeScript, adds ~35 MiB of its own. The bundle goes
 * under the workspace's node_modules, where its npm imports (better-sqlite3) resolve.
 */
async function bundleTailChild(): Promise<string> {
  const out = join(ROOT, 'node_modules', '.cache', 'gasgauge-tail-bench');
  rmSync(out, { recursive: true, force: true });
  await bundle(
    out,
    { version: '0.0.0-bench', webDist: '../web' },
    { 'tail-child': fileURLToPath(new URL('./tail-child.ts', import.meta.url)) },
  );
  return join(out, 'tail-child.js');
}

export function tailBenchRows(r: TailBenchResult): BenchRow[] {
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;
  return [
    {
      name: 'Reporter: tail Claude transcripts',
      value: `${Math.round(r.usageLinesPerSecond).toLocaleString('en-US')} usage lines/s`,
      target: '',
      pass: null,
      detail: `${mib(r.bytes)} in ${r.files} files tailed in ${r.tailSeconds.toFixed(1)} s (${r.megabytesPerSecond.toFixed(0)} MiB/s), ${r.records} responses; generated in ${r.generateSeconds.toFixed(1)} s`,
    },
    {
      name: 'Reporter: peak RSS while tailing',
      value: mib(r.peakRssBytes),
      target: `< ${mib(PEAK_RSS_TARGET_BYTES)}`,
      pass: r.peakRssBytes < PEAK_RSS_TARGET_BYTES,
      detail: 'child process running the reporter as bundled for the package, its own peak RSS (VmHWM in /proc/self/status)',
    },
  ];
}
