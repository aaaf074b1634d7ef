import { readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { expandHome } from '../paths.js';

const split = (v: string | undefined): string[] => (v ? v.split(',') : []);

/**
 * OpenCode and Kilo data dirs, as ccusage finds them: the ones given, else OPENCODE_DATA_DIR and
 * KILO_DATA_DIR (comma-separated; each replaces its tool's default), else ~/.local/share/opencode and
 * ~/.local/share/kilo.
 */
export function opencodeDataDirs(given: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const home = env.HOME ?? homedir();
  const raw =
    given.length > 0
      ? given
      : [
          ...(env.OPENCODE_DATA_DIR ? split(env.OPENCODE_DATA_DIR) : [join(home, '.local', 'share', 'opencode')]),
          ...(env.KILO_DATA_DIR ? split(env.KILO_DATA_DIR) : [join(home, '.local', 'share', 'kilo')]),
        ];
  const dirs = raw
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => resolve(expandHome(p)));
  return [...new Set(dirs)];
}

const isFile = (path: string): boolean => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

/** The SQLite store in a data dir: `opencode.db`, `kilo.db`, else the first `opencode-<channel>.db`; undefined when none. */
export function storeFile(dir: string): string | undefined {
  for (const name of ['opencode.db', 'kilo.db']) if (isFile(join(dir, name))) return join(dir, name);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined; // Not there (yet): the tool creates it on first use.
  }
  const channel = names.filter((n) => /^opencode-[A-Za-z0-9_-]+\.db$/.test(n)).sort()[0];
  return channel === undefined ? undefined : join(dir, channel);
}

/** The older per-message files, `storage/message/<session>/<message>.json`, sorted. */
export function messageFiles(dir: string): string[] {
  const root = join(dir, 'storage', 'message');
  const out: string[] = [];
  let sessions: import('node:fs').Dirent[];
  try {
    sessions = readdirSync(root, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const s of sessions) {
    if (!s.isDirectory()) continue;
    let names: string[];
    try {
      names = readdirSync(join(root, s.name));
    } catch {
      continue;
    }
    for (const n of names) if (n.endsWith('.json')) out.push(join(root, s.name, n));
  }
  return out.sort();
}
