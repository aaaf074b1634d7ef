import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_DIR = resolve(fileURLToPath(new URL('..', import.meta.url)));
const DIST_INDEX = join(WEB_DIR, 'dist', 'index.html');
const SOURCES = ['src', 'public', 'index.html', 'vite.config.ts'].map((p) => join(WEB_DIR, p));

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), info.mtimeMs);
}

/** Builds the UI (vite build) when dist is missing or older than any source file, so the e2e test never runs a stale UI. */
export function ensureWebBuilt(): void {
  const built = existsSync(DIST_INDEX) ? statSync(DIST_INDEX).mtimeMs : 0;
  if (built > Math.max(...SOURCES.map(newest))) return;
  const vite = resolve(WEB_DIR, '../../node_modules/vite/bin/vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: WEB_DIR, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`vite build failed:\n${r.stdout}\n${r.stderr}`);
}
