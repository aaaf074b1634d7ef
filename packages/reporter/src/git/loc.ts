import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { GitError } from '../errors.js';

export interface Loc {
  additions: number;
  deletions: number;
  files: number;
}

/** Bases tried, in order, when none is given: the remote's default branch, then the usual local names. */
const DEFAULT_BASES = ['origin/HEAD', 'origin/main', 'origin/master', 'main', 'master'];

/**
 * git, read-only and lock-free: GIT_OPTIONAL_LOCKS=0 keeps `git status`-like commands from taking the
 * index lock, so polling never makes an agent's own `git commit` fail with "index.lock exists".
 *
 * And with none of the commands an agent's repository can name: its `.git/config` is the agent's to write,
 * and `git diff` ran `core.fsmonitor` and every `filter.<name>.clean` it names (a `.gitattributes` line
 * `* filter=x`), as the reporter's user, outside the agent's sandbox, every `--loc-interval`. Overridden
 * through GIT_CONFIG_COUNT (keys and values apart: a filter's name may hold `=`): no fsmonitor, no transport
 * (a partial clone's lazy fetch runs `core.sshCommand`), each filter the config defines emptied (`filters`);
 * `diff` also gets `--no-ext-diff --no-textconv`.
 */
function git(cwd: string, args: string[], overrides: readonly [string, string][] = SAFE): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' };
  let n = Number(process.env.GIT_CONFIG_COUNT ?? 0);
  if (!Number.isSafeInteger(n) || n < 0) n = 0;
  for (const [key, value] of overrides) {
    env[`GIT_CONFIG_KEY_${n}`] = key;
    env[`GIT_CONFIG_VALUE_${n}`] = value;
    n++;
  }
  env.GIT_CONFIG_COUNT = String(n);
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, env, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new GitError(`git ${args[0]} in ${cwd} failed: ${stderr.trim() || err.message}`, { cause: err }));
      else resolve(stdout);
    });
  });
}

/** What every git command runs with (see git). */
const SAFE: readonly [string, string][] = [
  ['core.quotepath', 'off'],
  ['core.fsmonitor', 'false'],
  ['protocol.allow', 'never'],
];

/** SAFE, and each filter driver the worktree's config defines made a no-op (an empty command is none). */
async function safeWithFilters(worktree: string): Promise<[string, string][]> {
  let out = '';
  try {
    out = await git(worktree, ['config', '-z', '--name-only', '--get-regexp', '^filter\\.']);
  } catch {
    // Exit 1: no filter defined.
  }
  const names = new Set<string>();
  for (const key of out.split('\0')) {
    const m = /^filter\.(.*)\.[^.]*$/s.exec(key);
    if (m) names.add(m[1] as string);
  }
  const overrides: [string, string][] = [...SAFE];
  for (const name of names)
    for (const [k, v] of [
      ['clean', ''],
      ['smudge', ''],
      ['process', ''],
      ['required', 'false'],
    ] as const)
      overrides.push([`filter.${name}.${k}`, v]);
  return overrides;
}

/**
 * Whether the worktree's directory is gone: it (or a directory on the way) does not exist. Only that
 * is "gone"; a directory that exists but where git fails (not a repository, git's "dubious ownership",
 * a permission error) is a failure to measure, not a removed worktree.
 */
export async function worktreeGone(path: string): Promise<boolean> {
  try {
    await stat(path);
    return false;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR';
  }
}

/** Fails (with git's own message) unless `worktree` is inside a git work tree. */
async function assertWorktree(worktree: string): Promise<void> {
  const inside = (await git(worktree, ['rev-parse', '--is-inside-work-tree'])).trim();
  if (inside !== 'true') throw new GitError(`${worktree} is not inside a git work tree (git rev-parse says "${inside}")`);
}

/** The commit the worktree's changes are counted from: the merge-base of HEAD and the base. */
export async function mergeBase(worktree: string, base?: string): Promise<string> {
  const candidates = base ? [base] : DEFAULT_BASES;
  for (const ref of candidates) {
    try {
      await git(worktree, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    } catch {
      continue;
    }
    return (await git(worktree, ['merge-base', 'HEAD', ref])).trim();
  }
  throw new GitError(
    base
      ? `base ${base} is not a commit in ${worktree}`
      : `no default branch in ${worktree} (tried ${DEFAULT_BASES.join(', ')}); pass --base`,
  );
}

/**
 * Outstanding lines of one worktree: everything that differs from the merge-base with the default
 * branch — commits not yet merged, staged and unstaged edits (`git diff --numstat <merge-base>`
 * compares the work tree itself), plus untracked text files (not ignored) counted as all-added.
 * Binary files are skipped, as git's numstat marks them (`-`) and by a NUL byte in an untracked file's
 * first 8000 bytes (git's own test). A fully merged worktree with nothing uncommitted is 0/0.
 */
export async function worktreeLoc(worktree: string, base?: string): Promise<Loc> {
  await assertWorktree(worktree);
  const mb = await mergeBase(worktree, base);
  const loc: Loc = { additions: 0, deletions: 0, files: 0 };
  const safe = await safeWithFilters(worktree);
  addNumstat(loc, await git(worktree, ['diff', '--no-ext-diff', '--no-textconv', '--numstat', '-z', '-M', mb, '--'], safe));
  const untracked = (await git(worktree, ['ls-files', '--others', '--exclude-standard', '-z'], safe)).split('\0');
  for (const rel of untracked) {
    if (!rel) continue;
    const lines = await textLines(join(worktree, rel));
    if (lines === undefined) continue;
    loc.additions += lines;
    loc.files++;
  }
  return loc;
}

/**
 * `git diff --numstat -z`: `<add>\t<del>\t<path>\0`, or for a rename `<add>\t<del>\t\0<from>\0<to>\0`;
 * binary files have `-` for both counts.
 */
export function addNumstat(loc: Loc, out: string): void {
  const fields = out.split('\0');
  for (let i = 0; i < fields.length; i++) {
    const m = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(fields[i] as string);
    if (!m) continue;
    if (m[3] === '') i += 2; // a rename: the two paths follow as their own fields
    if (m[1] === '-' || m[2] === '-') continue;
    loc.additions += Number(m[1]);
    loc.deletions += Number(m[2]);
    loc.files++;
  }
}

/**
 * Lines in a text file (a last line without a newline counts); undefined for binaries and unreadable files.
 * A symlink is one line, its target's path, as git counts it: it is not followed (out of the tree, to a
 * FIFO whose open would wait forever and hold one of libuv's four file threads, or to a huge file).
 */
async function textLines(path: string): Promise<number | undefined> {
  let fh: import('node:fs/promises').FileHandle;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    return (err as { code?: string }).code === 'ELOOP' ? 1 : undefined;
  }
  try {
    if (!(await fh.stat()).isFile()) return undefined;
    const buf = Buffer.allocUnsafe(64 * 1024);
    let lines = 0;
    let last = -1;
    let first = true;
    for (let pos = 0; ; ) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      if (first && chunk.subarray(0, 8000).includes(0)) return undefined;
      first = false;
      for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, i + 1)) lines++;
      last = chunk[bytesRead - 1] as number;
      pos += bytesRead;
    }
    return last === -1 ? 0 : last === 0x0a ? lines : lines + 1;
  } finally {
    await fh.close();
  }
}
