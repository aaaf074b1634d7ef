import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { npmEnv } from './build.js';
import { ROOT } from './bundle.js';

export interface Installed {
  /** The installed `gasgauge` executable (npm's bin link). */
  bin: string;
  /** lib/node_modules/gasgauge inside the prefix. */
  packageDir: string;
}

/**
 * How better-sqlite3's native addon gets into the install. `build`: npm runs its install script, which compiles
 * it from source (~2 min on 2 cores; what a user's `npm install -g` does without a prebuilt download). `copy`:
 * npm installs everything with scripts off, then the workspace's already compiled addon (same version, same
 * Node) is copied in. Set GASGAUGE_PACK_NATIVE=build for the former; tests default to `copy`.
 */
export type NativeMode = 'build' | 'copy';

export function nativeMode(): NativeMode {
  return process.env.GASGAUGE_PACK_NATIVE === 'build' ? 'build' : 'copy';
}

/**
 * `npm install --global --prefix PREFIX TARBALL`: the README's `npm install -g`, into PREFIX instead of Node's
 * own prefix, dependencies from the registry (or npm's cache). A global install keeps the package's
 * dependencies inside its own folder (PREFIX/lib/node_modules/gasgauge/node_modules), as the Dockerfile expects.
 */
export function installPackage(tarball: string, prefix: string, native: NativeMode = nativeMode()): Installed {
  execFileSync(
    'npm',
    [
      'install',
      '--global',
      '--prefix',
      prefix,
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      ...(native === 'copy' ? ['--ignore-scripts'] : []),
      tarball,
    ],
    { cwd: prefix, env: npmEnv(), stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const packageDir = join(prefix, 'lib/node_modules/gasgauge');
  const modules = join(packageDir, 'node_modules');
  if (native === 'copy') {
    const addon = 'better-sqlite3/build/Release/better_sqlite3.node';
    const version = (dir: string) =>
      (JSON.parse(readFileSync(join(dir, 'better-sqlite3/package.json'), 'utf8')) as { version: string }).version;
    const [installed, built] = [version(modules), version(join(ROOT, 'node_modules'))];
    if (installed !== built)
      throw new Error(`installed better-sqlite3 ${installed}, the workspace built ${built}: use GASGAUGE_PACK_NATIVE=build`);
    cpSync(join(ROOT, 'node_modules', addon), join(modules, addon));
  }
  return { bin: join(prefix, 'bin/gasgauge'), packageDir };
}
