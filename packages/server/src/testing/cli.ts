import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The repository root, where `npx gasgauge` runs from. */
export const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
export const BIN = 'packages/server/bin/gasgauge.mjs';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real CLI in a child process, from the repository root, to completion. */
export async function gasgauge(...args: string[]): Promise<Run> {
  return run(process.execPath, [BIN, ...args]);
}

/**
 * The CLI under a file-size limit in KiB (`ulimit -f`, then bash execs Node): a write past it fails with a real
 * EFBIG from the kernel, which SQLite answers as a full disk does, without root or a small file system.
 */
export async function gasgaugeUnder(fsizeKiB: number, ...args: string[]): Promise<Run> {
  return run('bash', ['-c', `ulimit -f ${fsizeKiB} && exec "$@"`, 'bash', process.execPath, BIN, ...args]);
}

/** The CLI with these variables added to its environment (GASGAUGE_TEST_CRASH, …). */
export async function gasgaugeEnv(env: Record<string, string>, ...args: string[]): Promise<Run & { signal?: string }> {
  return run(process.execPath, [BIN, ...args], env);
}

async function run(command: string, args: string[], env: Record<string, string> = {}): Promise<Run & { signal?: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(command, args, {
      cwd: ROOT,
      timeout: 60_000,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number | string | null; signal: string | null; stdout: string; stderr: string };
    if (e.code === null && e.signal) return { code: -1, signal: e.signal, stdout: e.stdout, stderr: e.stderr };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
