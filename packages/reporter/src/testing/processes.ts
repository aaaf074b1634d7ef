import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { unprivilegedOptions } from './unprivileged.js';

const run = promisify(execFile);
/** The `gasgauge` CLI, run the way `npx gasgauge` runs it. */
export const GASGAUGE_BIN = fileURLToPath(new URL('../../../server/bin/gasgauge.mjs', import.meta.url));

/** A port that was free a moment ago (so a restarted server can take the same one). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** How to run `gasgauge`: from the clone by default; the package's tests pass the installed executable. */
export type GasgaugeCommand = readonly [string, ...string[]];
const FROM_CLONE: GasgaugeCommand = [process.execPath, GASGAUGE_BIN];

/** One `gasgauge …` command to completion, with --json; its parsed stdout. */
export async function gasgauge<T>(args: string[], [file, ...pre]: GasgaugeCommand = FROM_CLONE): Promise<T> {
  const { stdout } = await run(file, [...pre, ...args, '--json'], { maxBuffer: 16 << 20 });
  return JSON.parse(stdout) as T;
}

/**
 * One `gasgauge …` command from the clone to completion, whatever its exit code: code, stdout and stderr. With
 * `asUnprivileged`, as an unprivileged user when the tests run as root (CI), whom a path of mode 000 denies: see
 * testing/unprivileged.ts (and give it the paths it needs with shareWithUnprivileged).
 */
export async function runGasgauge(
  args: string[],
  opts: { asUnprivileged?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [GASGAUGE_BIN, ...args],
      opts.asUnprivileged === true ? unprivilegedOptions() : {},
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

export interface Child {
  proc: ChildProcess;
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** A long-running `gasgauge …` process; stdout and stderr are kept for failure messages. */
export function startGasgauge(args: string[], [file, ...pre]: GasgaugeCommand = FROM_CLONE): Child {
  const proc = spawn(file, [...pre, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    proc,
    output: () => out,
    exited,
    kill: (signal = 'SIGKILL') => {
      proc.kill(signal);
      return exited;
    },
  };
}

/**
 * `gasgauge serve --json` on `port` (so a restarted server takes the same one) as one of `children`, and what its
 * first line says once it is up. `args` go after the data dir and port (`--tick-ms 200` unless given).
 */
export async function startServe(
  children: Child[],
  data: string,
  port: number,
  args: string[] = ['--tick-ms', '200'],
): Promise<{ child: Child; url: string; adminToken: string }> {
  const child = startGasgauge(['serve', '--data', data, '--port', String(port), ...args, '--json']);
  children.push(child);
  const started = await waitFor('the server to start', () => {
    const line = child.output().split('\n')[0];
    return line?.startsWith('{') ? (JSON.parse(line) as { url: string; adminToken: string }) : undefined;
  });
  return { child, ...started };
}

/** A town made with the CLI on `data`, owned by the admin, and an ingest token for it written to `tokenFile`; the town's id. */
export async function cliTown(data: string, name: string, tokenFile: string): Promise<string> {
  const { town } = await gasgauge<{ town: { id: string } }>(['town', 'create', name, '--owner', 'admin', '--data', data]);
  const { token } = await gasgauge<{ token: string }>(['token', 'mint', '--town', town.id, '--data', data]);
  writeFileSync(tokenFile, token, { mode: 0o600 });
  return town.id;
}

/** Kills those of a test's children still running (for its afterAll). */
export async function stopAll(children: readonly Child[]): Promise<void> {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) await c.kill();
}

/**
 * Waits for `check` to return a value (not undefined), polling; throws with `what` after the timeout
 * (a function is called then, so the message can say what the state was when it gave up).
 */
export async function waitFor<T>(
  what: string | (() => string),
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `timed out waiting for ${typeof what === 'string' ? what : what()}${lastError ? `: ${(lastError as Error).message}` : ''}`,
  );
}
