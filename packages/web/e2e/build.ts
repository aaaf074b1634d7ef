import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_DIR = resolve(fileURLToPath(new URL('..', import.meta.url)));
const DIST_INDEX = join(WEB_DIR, 'dist', 'index.html');
/** What the build reads: the UI's own files, and the reporter's module it imports at run time (lib/invisible.ts). */
const SOURCES = ['src', 'public', 'index.html', 'vite.config.ts', '../reporter/src/invisible.ts'].map((p) => join(WEB_DIR, p));

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), info.mtimeMs);
}

/** Outside the tree (nothing for git to see), one per checkout: in the machine's temp dir, not the test run's own. */
const LOCK = join(
  process.env.GASGAUGE_SHARED_TMPDIR ?? tmpdir(),
  `gasgauge-web-build-${createHash('sha256').update(WEB_DIR).digest('hex').slice(0, 12)}.lock`,
);
/** A lock older than this was left by a killed run. */
const STALE_LOCK_MS = 120_000;

/**
 * Builds the UI (vite build) when dist is missing or older than any source file, so the e2e test never
 * runs a stale UI. The e2e files run in parallel workers: one builds while the others wait (a second
 * build would empty dist under a server that is serving it).
 */
export function ensureWebBuilt(): void {
  const fresh = () =>
    (existsSync(DIST_INDEX) ? statSync(DIST_INDEX).mtimeMs : 0) > Math.max(...SOURCES.map(newest)) && !isDevelopmentBuild();
  if (fresh()) return;
  withLock(() => {
    if (fresh()) return;
    const vite = resolve(WEB_DIR, '../../node_modules/vite/bin/vite.js');
    // Vitest sets NODE_ENV=test, which vite passes on: React's development build (several times slower to render).
    const env = { ...process.env, NODE_ENV: 'production' };
    const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: WEB_DIR, env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`vite build failed:\n${r.stdout}\n${r.stderr}`);
  });
}

/**
 * Whether dist holds React's development build (its JSX runtime is `jsxDEV`): what a `vite build` run
 * with NODE_ENV=test made before this module set NODE_ENV itself. Timings in the browser are meaningless with it.
 */
export function isDevelopmentBuild(): boolean {
  const assets = join(WEB_DIR, 'dist', 'assets');
  if (!existsSync(assets)) return false;
  return readdirSync(assets).some((f) => f.endsWith('.js') && readFileSync(join(assets, f), 'utf8').includes('jsxDEV'));
}

function withLock(fn: () => void): void {
  const deadline = Date.now() + STALE_LOCK_MS + 60_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const held = statSync(LOCK, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`${LOCK} is held: another vite build did not finish`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
