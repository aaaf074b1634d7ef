import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { BIN, ROOT } from './cli.js';

export interface Served {
  child: ChildProcess;
  pid: number;
  url: string;
  adminToken: string | null;
  /** Every stderr line so far (the server's log). */
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();

/** SIGKILLs every server this test file started that is still running (call it in afterAll). */
export function killServers(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
}

/**
 * `gasgauge serve --json` as a child process on port 0 (tick 200 ms unless `args` says otherwise);
 * resolves on its first stdout line. With `nofile`, under that open-file limit (`ulimit -n` in bash,
 * which then execs Node: the pid is the server's); with `fsize`, under that file-size limit in KiB (`ulimit -f`).
 */
export async function serveProcess(
  dataDir: string,
  env: Record<string, string> = {},
  args: string[] = [],
  opts: { nofile?: number; fsize?: number } = {},
): Promise<Served> {
  const serve = [BIN, 'serve', '--data', dataDir, '--port', '0', '--host', '127.0.0.1', '--tick-ms', '200', '--json', ...args];
  const limits = [
    ...(opts.nofile === undefined ? [] : [`ulimit -n ${opts.nofile}`]),
    ...(opts.fsize === undefined ? [] : [`ulimit -f ${opts.fsize}`]),
  ];
  const [command, argv] =
    limits.length === 0
      ? [process.execPath, serve]
      : ['bash', ['-c', `${limits.join(' && ')} && exec "$@"`, 'bash', process.execPath, ...serve]];
  const child = spawn(command, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  children.add(child);
  const stderr: string[] = [];
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (l) => stderr.push(l));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve);
    void exited.then(({ code, signal }) => reject(new Error(`serve exited (${code ?? signal}): ${stderr.join('\n')}`)));
  });
  const { url, adminToken } = JSON.parse(first) as { url: string; adminToken: string | null };
  return {
    child,
    pid: child.pid as number,
    url,
    adminToken,
    stderr,
    exited,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** What /proc says about a process: resident and peak memory (MiB), open file descriptors, and its fd limit. */
export function procStats(pid: number): { rssMiB: number; hwmMiB: number; fds: number; nofile: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'))?.[1] ?? Number.NaN);
  const limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
  return {
    rssMiB: kib('VmRSS') / 1024,
    hwmMiB: kib('VmHWM') / 1024,
    fds: readdirSync(`/proc/${pid}/fd`).length,
    nofile: Number(limits.match(/^Max open files\s+(\d+)/m)?.[1]),
  };
}
