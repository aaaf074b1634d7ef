import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve, sep } from 'node:path';

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
  return resolvePath(path).path;
}

/**
 * The canonical path (see canonicalPath), and `real`: the real path of its nearest existing ancestor
 * (itself when it exists), which is all of it that can be looked into. The ancestor is found from the root down, one call per existing level: whether a
 * path resolves holds for its ancestors too, so the first level that does not ends the search. (From
 * the bottom up, as it was, a transcript's made-up cwd of 2,000 missing levels cost 2,000 calls, each
 * copying the path: 56 ms a line, two minutes for an 8 MB transcript.)
 */
export function resolvePath(path: string): { path: string; real: string | undefined } {
  const abs = resolve(path);
  const real = realpathOrUndefined(abs);
  if (real !== undefined) return { path: real, real };
  const names = abs.split(sep).filter((n) => n !== '');
  let found = realpathOrUndefined(sep);
  let depth = 0;
  for (let prefix: string = sep; depth < names.length; depth++) {
    prefix = join(prefix, names[depth] as string);
    const next = realpathOrUndefined(prefix);
    if (next === undefined) break;
    found = next;
  }
  return { path: found === undefined ? abs : join(found, ...names.slice(depth)), real: found };
}

function realpathOrUndefined(path: string): string | undefined {
  try {
    return realpathSync.native(path);
  } catch {
    return undefined;
  }
}
