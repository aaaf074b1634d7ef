import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { BIN, ROOT } from './cli.js';

export interface Served {
  child: ChildProcess;
  url: string;
  adminToken: string | null;
  /** Every stderr line so far (the server's log). */
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();

/** SIGKILLs every server this test file started that is still running (call it in afterAll). */
export function killServers(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
}

/** `gasgauge serve --json` as a child process on port 0 (tick 200 ms unless `args` says otherwise); resolves on its first stdout line. */
export async function serveProcess(dataDir: string, env: Record<string, string> = {}, args: string[] = []): Promise<Served> {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--data', dataDir, '--port', '0', '--host', '127.0.0.1', '--tick-ms', '200', '--json', ...args],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
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
  return { child, url, adminToken, stderr, exited };
}
