import { readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { expandHome } from '../paths.js';

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
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return; // Not there (yet): Gemini CLI creates it on first use.
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) walk(path, out);
    else if (e.isFile() && (e.name.endsWith('.json') || e.name.endsWith('.jsonl'))) out.push(path);
  }
}
