import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { expandHome } from '../paths.js';
import { walkFiles } from '../tail/walk.js';

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
  for (const dir of dirs) walkFiles(dir, { endings: ['.json', '.jsonl'] }, out);
  return [...new Set(out)].sort();
}
