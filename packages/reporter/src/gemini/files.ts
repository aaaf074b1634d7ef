import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { expandHome } from '../paths.js';
import { listDir, nameEndsWith } from '../tail/names.js';

/** Gemini CLI data dirs (its `tmp/`), as ccusage finds them: the ones given, else GEMINI_DATA_DIR (comma-separated), else ~/.gemini/tmp. */
export function geminiDataDirs(given: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const raw =
    given.length > 0
      ? given
      : env.GEMINI_DATA_DIR
        ? env.GEMINI_DATA_DIR.split(',')
        : [join(env.HOME ?? homedir(), '.gemini', 'tmp')];
  const dirs = raw
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => resolve(expandHome(p)));
  return [...new Set(dirs)];
}

/** Every `*.json` and `*.jsonl` under the dirs (chats are `<project>/chats/session-*.json[l]`), sorted. */
export function chatFiles(dirs: readonly string[]): string[] {
  const out: string[] = [];
  for (const dir of dirs) walk(dir, out);
  return [...new Set(out)].sort();
}

function walk(dir: string, out: string[]): void {
  let entries: ReturnType<typeof listDir>;
  try {
    entries = listDir(dir);
  } catch {
    return; // Not there (yet): Gemini CLI creates it on first use.
  }
  for (const { name, entry: e } of entries) {
    const path = join(dir, name);
    if (e.isDirectory()) walk(path, out);
    else if (e.isFile() && (nameEndsWith(name, '.json') || nameEndsWith(name, '.jsonl'))) out.push(path);
  }
}
