import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

/** A leading `~` or `~/` as the home directory (a shell does not expand it after `AGENT=`). */
export function expandHome(path: string): string {
  if (path === '~') return homedir();
  return path.startsWith('~/') ? join(homedir(), path.slice(2)) : path;
}

/**
 * The path with every symlink resolved (realpath), so that two spellings of one directory compare
 * equal. A path that does not exist (a worktree removed since, or not created yet) keeps its missing
 * tail on the real path of its nearest existing ancestor; with no such ancestor, `path.resolve`.
 */
export function canonicalPath(path: string): string {
  const abs = resolve(path);
  const missing: string[] = [];
  for (let p = abs; ; p = dirname(p)) {
    try {
      return join(realpathSync.native(p), ...missing.reverse());
    } catch {
      if (dirname(p) === p) return abs;
      missing.push(basename(p));
    }
  }
}
