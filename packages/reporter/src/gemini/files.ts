import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { expandHome } from '../paths.js';
import { walkFiles } from '../tail/walk.js';

/**
 * Gemini CLI data dirs (its `tmp/`): the ones given, else GEMINI_DATA_DIR (comma-separated), else ~/.gemini/tmp
 * (ccusage's) and, when GEMINI_CLI_HOME is set, $GEMINI_CLI_HOME/.gemini/tmp: Gemini CLI's own home override
 * (`homedir()` in its core), where it then writes its chats; ccusage 20.0.24 does not look there.
 */
export function geminiDataDirs(given: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const homes = [env.HOME ?? homedir()];
  // A relative one is ignored, as a relative XDG_DATA_HOME is (opencode/files.ts): Gemini CLI takes it from each of
  // its own working directories, which the reporter does not know; taken from the reporter's, it read chats from
  // wherever the reporter was started (`GEMINI_CLI_HOME=x` in /tmp: /tmp/x/.gemini/tmp, anyone's to write).
  const cliHome = expandHome(env.GEMINI_CLI_HOME?.trim() ?? '');
  if (isAbsolute(cliHome)) homes.push(cliHome);
  const raw =
    given.length > 0
      ? given
      : env.GEMINI_DATA_DIR
        ? env.GEMINI_DATA_DIR.split(',')
        : homes.map((home) => join(home, '.gemini', 'tmp'));
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
