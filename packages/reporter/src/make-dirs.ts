import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p`: `path` and every missing parent, each created with `mode` (before the umask). Node's own
 * `mkdirSync(path, { recursive: true })` never returns when mkdir answers ENOENT for a directory whose parent
 * is there (`/proc/x`, some FUSE file systems): it retries in a loop in C++, at full CPU, and no signal handler
 * can run, so `gasgauge report --state /proc/x` (or `serve --data`, `backup --out`) ignored Ctrl-C and SIGTERM.
 * Here each level is tried at most twice (once more after its parent was made), and then the error is thrown.
 */
export function makeDirs(path: string, mode = 0o777): void {
  const dir = resolve(path);
  try {
    mkdirOne(dir, mode);
  } catch (err) {
    const parent = dirname(dir);
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || parent === dir) throw err;
    makeDirs(parent, mode);
    mkdirOne(dir, mode);
  }
}

/** One mkdir; a directory already there (or made meanwhile by another process) is fine, anything else there is EEXIST. */
function mkdirOne(dir: string, mode: number): void {
  try {
    mkdirSync(dir, { mode });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    let isDir = false;
    try {
      isDir = statSync(dir).isDirectory();
    } catch {
      // A dangling symlink: EEXIST as it is.
    }
    if (!isDir) throw err;
  }
}
