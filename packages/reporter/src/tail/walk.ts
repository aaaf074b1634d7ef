import { accessSync, constants, statSync } from 'node:fs';
import { normalize } from 'node:path';
import { BoundedSet } from '@gasgauge/core/bounded-map';
import { fsPath, listDir, nameEndsWith } from './names.js';

export interface WalkOptions {
  /** Name endings to take (`.jsonl`), any of them. */
  endings: readonly string[];
  /** Also take a symlink to a file (Claude: a transcript linked into `projects/`); links to directories are never followed. */
  fileLinks?: boolean;
}

/**
 * Told of a directory or file a source cannot read for another reason than its absence: permission
 * denied (`EACCES`), a symlink loop (`ELOOP`), not a directory, an I/O error. Such a path lists or reads
 * nothing; without a word, a `chmod 000 ~/.codex` made a `--once` say `delivered` and exit 0 with none
 * of its sessions sent.
 */
export type OnUnreadable = (path: string, err: NodeJS.ErrnoException) => void;

/** The handler of the listing under way (see listing): walkFiles is called deep inside each source's own list function. */
let told: OnUnreadable | undefined;

/** Runs `list` (a source's walk of its directories) with `onUnreadable` told of every path walkFiles could not read. */
export function listing<T>(onUnreadable: OnUnreadable | undefined, list: () => T): T {
  const outer = told;
  told = onUnreadable;
  try {
    return list();
  } finally {
    told = outer;
  }
}

/** A directory or file that is not there (yet: each CLI creates its own on first use) is no problem to report. */
function absent(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * Appends to `out` every file under `dir`, recursively, whose name ends with one of `endings`, named as
 * the reporter keeps names (names.ts). A directory that is not there lists nothing; one that cannot be
 * read lists nothing either, and is told to the listing's handler (see listing), as is a file that
 * cannot be read (still listed: it is read once it can be).
 */
export function walkFiles(dir: string, opts: WalkOptions, out: string[]): void {
  walk(normalize(dir), opts, out);
}

function walk(dir: string, opts: WalkOptions, out: string[]): void {
  let entries: ReturnType<typeof listDir>;
  try {
    entries = listDir(dir);
  } catch (err) {
    if (!absent(err)) told?.(dir, err as NodeJS.ErrnoException);
    return;
  }
  // The listing's names have no `/` and are never `.` or `..`, and `dir` is normal: no path.join (its normalising,
  // at every entry of every listing, was ~40 ms of a `--once` over the bench's unchanged tree).
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  for (const { name, entry } of entries) {
    const path = prefix + name;
    if (entry.isDirectory()) {
      walk(path, opts, out);
      continue;
    }
    if (!opts.endings.some((e) => nameEndsWith(name, e))) continue;
    if (entry.isFile() || (opts.fileLinks === true && isFileLink(path))) {
      out.push(path);
      if (told) readable(path);
    }
  }
}

function isFileLink(path: string): boolean {
  try {
    return statSync(fsPath(path)).isFile();
  } catch (err) {
    if (!absent(err)) told?.(path, err as NodeJS.ErrnoException);
    return false;
  }
}

/**
 * Root reads every regular file (CAP_DAC_OVERRIDE), so for it the check below would never fail: it is skipped.
 * (A root-squashed NFS mount is the exception, and is not checked.)
 */
const root = process.geteuid?.() === 0;
/** Files found readable already: checked once per process (a running reporter lists its tree every minute). */
const MAX_REMEMBERED = 100_000;
const readableFiles = new BoundedSet<string>(MAX_REMEMBERED);

/**
 * Tells the handler when a listed file cannot be opened for reading: one access call (no open, no read), once
 * per file and process; about 4 µs a file on this project's machine, so a `--once` over 3,545 transcripts
 * pays ~15 ms for it.
 */
function readable(path: string): void {
  if (root || readableFiles.has(path)) return;
  const err = unreadable(path, false);
  if (err) {
    told?.(path, err);
    return;
  }
  readableFiles.add(path);
}

/**
 * Why a file (or, with `dir`, a directory to list) that is there cannot be read; undefined when it can
 * be, or is not there at all. One access call (no open): the sources that open files themselves ask it
 * when an open failed.
 */
export function unreadable(path: string, dir: boolean): NodeJS.ErrnoException | undefined {
  try {
    accessSync(fsPath(path), dir ? constants.R_OK | constants.X_OK : constants.R_OK);
  } catch (err) {
    if (absent(err)) return undefined;
    // A file or device without the execute bit (OPENCODE_DATA_DIR=/dev/zero) is no directory to open, not one to chmod:
    // it was said as "permission denied (EACCES): chmod it".
    if (!(dir && (err as NodeJS.ErrnoException).code === 'EACCES')) return err as NodeJS.ErrnoException;
    return isNonDirectory(path) ? notADirectory(path) : (err as NodeJS.ErrnoException);
  }
  return dir && isNonDirectory(path) ? notADirectory(path) : undefined;
}

function isNonDirectory(path: string): boolean {
  try {
    return !statSync(fsPath(path)).isDirectory();
  } catch {
    return false;
  }
}

function notADirectory(path: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`ENOTDIR: not a directory, scandir '${path}'`);
  err.code = 'ENOTDIR';
  err.path = path;
  return err;
}
