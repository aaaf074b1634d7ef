import { homedir } from 'node:os';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { expandHome } from '../paths.js';
import { walkFiles } from '../tail/walk.js';

/**
 * The Claude config directories to read, as ccusage finds them: the ones given, else
 * CLAUDE_CONFIG_DIR (comma-separated), else ~/.config/claude and ~/.claude. A path may name the
 * config dir or its `projects/` directory.
 */
export function claudeConfigDirs(given: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = given.length > 0 ? given : env.CLAUDE_CONFIG_DIR ? env.CLAUDE_CONFIG_DIR.split(',') : defaults(env);
  const dirs = raw
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => expandHome(p))
    .map((p) => (basename(p) === 'projects' ? resolve(p, '..') : resolve(p)));
  return [...new Set(dirs)];
}

function defaults(env: NodeJS.ProcessEnv): string[] {
  const home = env.HOME ?? homedir();
  // An empty or relative XDG_CONFIG_HOME is ignored (the XDG rule): taken as it was, `claude` under the current directory was read.
  const config = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(home, '.config');
  return [join(config, 'claude'), join(home, '.claude')];
}

/** Every `*.jsonl` under `<dir>/projects`, recursively (sessions, their subagents/ folders), sorted. */
export function transcriptFiles(configDirs: readonly string[]): string[] {
  const files: string[] = [];
  for (const dir of configDirs) walkFiles(join(dir, 'projects'), { endings: ['.jsonl'], fileLinks: true }, files);
  return files.sort();
}
