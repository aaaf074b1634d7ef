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

async function run(command: string, args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(command, args, { cwd: ROOT, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number | string; stdout: string; stderr: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
