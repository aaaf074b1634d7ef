import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, sep } from 'node:path';
import { BoundedMap } from '@gasgauge/core/bounded-map';
import { boundedId } from './ids.js';
import { canonicalPath, resolvePath } from './paths.js';

export interface AgentPath {
  /** A directory; records whose cwd is in it belong to the agent. */
  path: string;
  agentId: string;
}

export interface AgentMapOptions {
  /** Explicit directories (from `--agent ID=PATH` and `--worktree ID=PATH`); the longest match wins. */
  paths?: readonly AgentPath[];
  /** A Gas Town root: a cwd inside it is named as Gas Town names its agents (`gastown/polecats/Toast`). */
  gastownRoot?: string | undefined;
}

const UNKNOWN_AGENT = 'unknown';
/**
 * Linux's PATH_MAX: no process works in a longer directory (getcwd fails), so a longer cwd is not one an
 * agent had. Resolving a path costs a system call and a copy of the path per level: one 400 KB cwd of
 * `/x/x/…` in a transcript line kept the reporter busy for more than ten minutes, deaf to SIGTERM.
 */
export const MAX_CWD_CHARS = 4096;

/**
 * Which agent a transcript record belongs to, from its cwd — the agent's worktree. In order: an
 * explicit directory, the Gas Town layout (`<town>/<rig>/polecats/<name>/…` → `<rig>/polecats/<name>`,
 * `<rig>/crew/<name>`, `<rig>/refinery`, `<rig>/witness`, `mayor`, `deacon`), then the name of the
 * enclosing git worktree, then the directory's own name.
 */
export class AgentMap {
  private readonly paths: AgentPath[];
  private readonly gastownRoot: string | undefined;
  private readonly cache = new BoundedMap<string, string>(10_000);

  constructor(opts: AgentMapOptions = {}) {
    this.paths = (opts.paths ?? [])
      .map((p) => ({ path: canonicalPath(p.path), agentId: p.agentId }))
      .sort((a, b) => b.path.length - a.path.length);
    this.gastownRoot = opts.gastownRoot === undefined ? undefined : canonicalPath(opts.gastownRoot);
  }

  agentFor(cwd: string | undefined): string {
    if (!cwd || cwd.length > MAX_CWD_CHARS) return UNKNOWN_AGENT;
    let agent = this.cache.get(cwd);
    if (agent === undefined) {
      // Cut to what the server takes, as every id: a made-up cwd's last name can be 4,000 characters.
      agent = boundedId(this.resolveAgent(cwd));
      this.cache.set(cwd, agent);
    }
    return agent;
  }

  private resolveAgent(cwd: string): string {
    // Symlinks resolved on both sides: a worktree reached through a linked town root is one agent.
    const { path: dir, real } = resolvePath(cwd);
    for (const p of this.paths) if (inside(dir, p.path)) return p.agentId;
    if (this.gastownRoot && inside(dir, this.gastownRoot)) {
      const id = gastownIdentity(relative(this.gastownRoot, dir).split(sep));
      if (id) return id;
    }
    // `.git` is looked for in what exists only: a missing directory holds none.
    return basename((real !== undefined && gitRoot(real)) || dir) || UNKNOWN_AGENT;
  }
}

function inside(dir: string, root: string): boolean {
  const rel = relative(root, dir);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Gas Town's agent identities, from a path relative to the town root. */
export function gastownIdentity(parts: readonly string[]): string | undefined {
  const [first, second, third] = parts;
  if (first === 'mayor' || first === 'deacon') return first;
  if (!first || !second) return undefined;
  if ((second === 'polecats' || second === 'crew') && third) return `${first}/${second}/${third}`;
  if (second === 'refinery' || second === 'witness') return `${first}/${second}`;
  return undefined;
}

/** The nearest ancestor holding `.git` (a directory, or a worktree's file). */
function gitRoot(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(`${d}${sep}.git`)) return d;
    if (dirname(d) === d) return undefined;
  }
}
