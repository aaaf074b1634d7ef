import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { expandHome } from '../paths.js';
import { fsPath, listDir, nameEndsWith } from '../tail/names.js';

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
  for (const dir of configDirs) walk(join(dir, 'projects'), files);
  return files.sort();
}

function walk(dir: string, out: string[]): void {
  let entries: ReturnType<typeof listDir>;
  try {
    entries = listDir(dir);
  } catch {
    return; // Not there (yet): Claude Code creates it on first use.
  }
  for (const { name, entry: e } of entries) {
    const path = join(dir, name);
    if (e.isDirectory()) walk(path, out);
    else if (nameEndsWith(name, '.jsonl') && (e.isFile() || isFileLink(path))) out.push(path);
  }
}

function isFileLink(path: string): boolean {
  try {
    return statSync(fsPath(path)).isFile();
  } catch {
    return false;
  }
}
