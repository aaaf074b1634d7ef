import { lstatSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { expandHome } from '../paths.js';
import { listDir, nameEndsWith } from '../tail/names.js';

const split = (v: string | undefined): string[] => (v ? v.split(',') : []);

/**
 * OpenCode and Kilo data dirs: the ones given, else OPENCODE_DATA_DIR and KILO_DATA_DIR (comma-separated;
 * each replaces its tool's default), else ~/.local/share/opencode and ~/.local/share/kilo (ccusage's defaults),
 * and also $XDG_DATA_HOME/opencode and $XDG_DATA_HOME/kilo when XDG_DATA_HOME is an absolute path: OpenCode
 * and Kilo keep their data there (xdg-basedir), so with it set ccusage 20.0.24 finds nothing and neither did we.
 */
export function opencodeDataDirs(given: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = given.length > 0 ? given : [...toolDirs('opencode', env), ...toolDirs('kilo', env)];
  return [...new Set(clean(raw))];
}

const clean = (raw: readonly string[]): string[] =>
  raw
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => resolve(expandHome(p)));

/** One tool's data dirs, not given any: its `<TOOL>_DATA_DIR`, else the defaults (see opencodeDataDirs). */
function toolDirs(tool: 'opencode' | 'kilo', env: NodeJS.ProcessEnv): string[] {
  const set = env[tool === 'opencode' ? 'OPENCODE_DATA_DIR' : 'KILO_DATA_DIR'];
  if (set) return split(set);
  const home = env.HOME ?? homedir();
  // An empty or relative XDG_DATA_HOME is ignored (the XDG rule, as for XDG_CONFIG_HOME in claude/files.ts).
  const shares = [join(home, '.local', 'share')];
  if (env.XDG_DATA_HOME && isAbsolute(env.XDG_DATA_HOME)) shares.push(env.XDG_DATA_HOME);
  return shares.map((share) => join(share, tool));
}

/**
 * The stores OpenCode's `OPENCODE_DB` and Kilo's `KILO_DB` name: each tool's override of its store's path, read by
 * OpenCode (`storage/db.ts`, `path()`) and Kilo alike as an absolute path taken as it is, `:memory:` (no file), or
 * another name joined to the tool's data dir; here, to each of its data dirs the reporter reads (see opencodeDataDirs).
 * None with dirs given (`--opencode-dir`): they replace every default, as they replace OPENCODE_DATA_DIR. Such a store
 * is read besides the data dirs' own (which keep what was written before the variable was set).
 */
export function opencodeNamedStores(given: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  if (given.length > 0) return [];
  return [...new Set([...namedStoresOf('opencode', env), ...namedStoresOf('kilo', env)])];
}

/** The variable that names a tool's store (see opencodeNamedStores). */
export const STORE_VARIABLE = { opencode: 'OPENCODE_DB', kilo: 'KILO_DB' } as const;

/** Where one tool's `OPENCODE_DB` / `KILO_DB` puts its store (see opencodeNamedStores), whatever is there. */
export function namedStoresOf(tool: 'opencode' | 'kilo', env: NodeJS.ProcessEnv): string[] {
  // As the tools read it: unset or empty, nothing; no trimming, no `~` (a shell expands that before either sees it).
  const name = env[STORE_VARIABLE[tool]];
  if (!name || name === ':memory:') return [];
  return isAbsolute(name) ? [resolve(name)] : clean(toolDirs(tool, env)).map((dir) => join(dir, name));
}

/**
 * A file there, or a name there that cannot be followed (a link into a symlink loop): opening it then says why (disk.ts).
 * Not when the data dir is what cannot be looked into: under a file (ENOTDIR: XDG_DATA_HOME=/dev/null, a data dir that is
 * a file), a data dir that cannot be searched (EACCES) or is itself a symlink loop: nothing is known to be there, and the
 * poll says once what is wrong with the dir. Taken as a store, each was "found" (`found 1 OpenCode/Kilo store` under a
 * `chmod 000` data dir) and warned about a second time.
 */
const isFile = (path: string): boolean => {
  try {
    return statSync(path).isFile();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    try {
      lstatSync(path); // the name itself is there: the link is what fails
      return true;
    } catch {
      return false;
    }
  }
};

/**
 * The SQLite store in a data dir: `opencode.db`, `kilo.db`, else the first `opencode-<channel>.db` or `kilo-<channel>.db`;
 * undefined when none.
 * Only a regular file (or a path that cannot be looked at, said when opened) is one: never a FIFO, socket or device.
 */
export function storeFile(dir: string): string | undefined {
  for (const name of ['opencode.db', 'kilo.db']) if (isFile(join(dir, name))) return join(dir, name);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined; // Not there (yet): the tool creates it on first use.
  }
  // A file, as for the two names above: a FIFO named like a store blocked SQLite's open (read-only: O_RDONLY,
  // not O_NONBLOCK) for good, deaf to SIGTERM and --timeout.
  const channel = names
    // OpenCode 1.18 and Kilo 7.7 name a store by a channel other than latest/beta/prod with `[^a-zA-Z0-9._-]` made
    // `-`: `opencode-<channel>.db`, and Kilo `kilo-<channel>.db` (`opencode-<channel>.db` when only that one exists).
    .filter((n) => /^(?:opencode|kilo)-[A-Za-z0-9._-]+\.db$/.test(n))
    .sort()
    .find((n) => isFile(join(dir, n)));
  return channel === undefined ? undefined : join(dir, channel);
}

/**
 * The older per-message files, `storage/message/<session>/<message>.json`, sorted. Names are listed as
 * the reporter keeps them (tail/names.ts): one that is not valid UTF-8 is escaped, so its file is still
 * read (fs calls take `fsPath` of it), not skipped as a name with U+FFFD that no file has.
 */
export function messageFiles(dir: string): string[] {
  const root = join(dir, 'storage', 'message');
  const out: string[] = [];
  let sessions: ReturnType<typeof listDir>;
  try {
    sessions = listDir(root);
  } catch {
    return out;
  }
  for (const s of sessions) {
    if (!s.entry.isDirectory()) continue;
    let names: ReturnType<typeof listDir>;
    try {
      names = listDir(join(root, s.name));
    } catch {
      continue;
    }
    for (const { name } of names) if (nameEndsWith(name, '.json')) out.push(join(root, s.name, name));
  }
  return out.sort();
}
