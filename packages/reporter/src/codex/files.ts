import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { expandHome } from '../paths.js';
import { readSmallFile } from '../small-file.js';
import { walkFiles } from '../tail/walk.js';

/** The Codex homes to read, as ccusage finds them: the ones given, else CODEX_HOME (comma-separated), else ~/.codex. */
export function codexHomes(given: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = given.length > 0 ? given : env.CODEX_HOME ? env.CODEX_HOME.split(',') : [join(env.HOME ?? homedir(), '.codex')];
  const homes = raw
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => resolve(expandHome(p)));
  return [...new Set(homes)];
}

/**
 * Every rollout file: `*.jsonl` under each home's `sessions/`, then under `archived_sessions/` (a home with
 * neither is read as a sessions directory itself). A file in `archived_sessions/` with the same relative
 * path as one in `sessions/` of the same home is skipped: the active copy wins.
 */
export function rolloutFiles(homes: readonly string[]): string[] {
  const out: string[] = [];
  for (const home of homes) {
    const dirs = ['sessions', 'archived_sessions'].map((d) => join(home, d)).filter(isDir);
    const seen = new Set<string>();
    for (const dir of dirs.length > 0 ? dirs : [home]) {
      const files: string[] = [];
      walkFiles(dir, { endings: ['.jsonl'] }, files);
      for (const f of files.sort()) {
        const rel = relative(dir, f);
        if (seen.has(rel)) continue;
        seen.add(rel);
        out.push(f);
      }
    }
  }
  return out;
}

/** The directories rolloutFiles walks: each home's `sessions/` and `archived_sessions/`, or the home itself when it has neither. */
export function rolloutRoots(homes: readonly string[]): string[] {
  return homes.flatMap((home) => {
    const dirs = ['sessions', 'archived_sessions'].map((d) => join(home, d)).filter(isDir);
    return dirs.length > 0 ? dirs : [home];
  });
}

/**
 * Codex's priority tier, as ccusage 20.0.24 detects it: `service_tier = "fast"` or `"priority"` in any
 * home's `config.toml`. Rollout files do not say which tier served a turn, so it applies to all of them.
 */
export function codexFastTier(homes: readonly string[]): boolean {
  return homes.some((home) => {
    let toml: string | undefined;
    try {
      toml = readSmallFile(join(home, 'config.toml'), 1024 * 1024);
    } catch {
      return false;
    }
    if (toml === undefined) return false;
    return toml.split('\n').some((line) => {
      const setting = (line.split('#')[0] ?? '').trim();
      const eq = setting.indexOf('=');
      if (eq < 0 || setting.slice(0, eq).trim() !== 'service_tier') return false;
      const value = setting
        .slice(eq + 1)
        .trim()
        .replace(/^["']+|["']+$/g, '');
      return value === 'fast' || value === 'priority';
    });
  });
}

/**
 * A directory there, or a path there that cannot be looked into (a symlink loop): the walk of such a one
 * tells why it lists nothing (tail/walk.ts), where reading the home instead said nothing. Permission denied
 * on the stat is the home's own (it cannot be searched): the walk of the home then names the home, once.
 */
function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code !== 'ENOENT' && code !== 'EACCES';
  }
}
