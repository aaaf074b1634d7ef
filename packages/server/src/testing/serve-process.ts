import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { BIN, ROOT } from './cli.js';

export interface ServeProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  adminToken: string | null;
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `gasgauge serve --json` as a child process under an open-file limit (`ulimit -n` in bash, which
 * then execs Node: the pid is the server's); resolves on its first stdout line.
 */
export async function serveProcess(dataDir: string, args: string[], opts: { nofile: number }): Promise<ServeProcess> {
  const child = spawn(
    'bash',
    [
      '-c',
      `ulimit -n ${opts.nofile} && exec "$@"`,
      'bash',
      process.execPath,
      BIN,
      'serve',
      '--data',
      dataDir,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--json',
      ...args,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
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
