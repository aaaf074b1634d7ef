import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fsPath, listDir, nameEndsWith } from './names.js';

export interface WalkOptions {
  /** Name endings to take (`.jsonl`), any of them. */
  endings: readonly string[];
  /** Also take a symlink to a file (Claude: a transcript linked into `projects/`); links to directories are never followed. */
  fileLinks?: boolean;
}

/**
 * Appends to `out` every file under `dir`, recursively, whose name ends with one of `endings`, named as
 * the reporter keeps names (names.ts). A directory that is not there (yet: each CLI creates its own on
 * first use) or cannot be read lists nothing.
 */
export function walkFiles(dir: string, opts: WalkOptions, out: string[]): void {
  let entries: ReturnType<typeof listDir>;
  try {
    entries = listDir(dir);
  } catch {
    return;
  }
  for (const { name, entry } of entries) {
    const path = join(dir, name);
    if (entry.isDirectory()) walkFiles(path, opts, out);
    else if (opts.endings.some((e) => nameEndsWith(name, e)) && (entry.isFile() || (opts.fileLinks === true && isFileLink(path))))
      out.push(path);
  }
}

function isFileLink(path: string): boolean {
  try {
    return statSync(fsPath(path)).isFile();
  } catch {
    return false;
  }
}
