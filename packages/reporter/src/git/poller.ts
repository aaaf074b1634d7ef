import type { Store } from '../outbox/store.js';
import { unreadable } from '../tail/walk.js';
import type { LocReport } from '../wire.js';
import { worktreeGone, worktreeLoc } from './loc.js';

export interface Worktree {
  agentId: string;
  path: string;
}

export interface LocPollerOptions {
  store: Store;
  worktrees: readonly Worktree[];
  /** The base to diff against (default: origin/HEAD, then origin/main, origin/master, main, master). */
  base?: string | undefined;
  log?: (line: string) => void;
  /** Worktrees whose missing or unusable directory the caller has said already (the CLI, naming --worktree): not said again at first. */
  told?: readonly string[];
}

/**
 * Measures every worktree and stores one lines-of-code report per agent, 0/0 included: the server
 * replaces an agent's report with each one, and a report that never comes (0/0 skipped) would leave
 * the last non-zero value standing. A worktree whose directory disappears (merged and removed)
 * reports 0/0 once, then nothing until it reappears. A worktree whose directory exists but where git
 * fails is not reported at all (logged once): a 0/0 would claim its work is done. Reports replace any
 * undelivered one for the same agent: only the latest matters for a gauge.
 */
export class LocPoller {
  private readonly gone = new Set<string>();
  private readonly failing = new Set<string>();
  /** Agents whose worktree this run has seen exist: only those are "gone" when it does not. */
  private readonly seen = new Set<string>();
  readonly last = new Map<string, LocReport>();
  /** See LocPollerOptions.told: each taken once, by the first report it would have said. */
  private readonly told: Set<string>;

  constructor(private readonly opts: LocPollerOptions) {
    this.told = new Set(opts.told);
  }

  /** Says `line` about the worktree at `path`, unless the caller has said it (told) already. */
  private say(path: string, line: string): void {
    if (!this.told.delete(path)) this.opts.log?.(line);
  }

  async poll(): Promise<LocReport[]> {
    const reports: LocReport[] = [];
    for (const wt of this.opts.worktrees) {
      const report = await this.measure(wt);
      if (report) reports.push(report);
    }
    if (reports.length > 0) {
      this.opts.store.transaction(() => {
        for (const r of reports) this.opts.store.enqueue('loc', r.agentId, r, 'replace');
      });
    }
    for (const r of reports) this.last.set(r.agentId, r);
    return reports;
  }

  private async measure(wt: Worktree): Promise<LocReport | undefined> {
    if (await worktreeGone(wt.path)) return this.goneReport(wt);
    this.gone.delete(wt.agentId);
    this.seen.add(wt.agentId);
    try {
      const loc = await worktreeLoc(wt.path, this.opts.base);
      this.failing.delete(wt.agentId);
      return { agentId: wt.agentId, ...loc };
    } catch (err) {
      // Removed while git ran: that is "gone" after all.
      if (await worktreeGone(wt.path)) return this.goneReport(wt);
      // Any other failure (no base, not a repository, git refusing the directory): no number is better
      // than a wrong one; the server's TTL retires the last report.
      if (!this.failing.has(wt.agentId)) this.say(wt.path, `lines of code for ${wt.agentId}: ${failure(wt.path, err)}`);
      this.failing.add(wt.agentId);
      return undefined;
    }
  }

  /** The directory no longer exists: 0/0 once, then nothing until it is back. */
  private goneReport(wt: Worktree): LocReport | undefined {
    this.failing.delete(wt.agentId);
    if (this.gone.has(wt.agentId)) return undefined;
    this.gone.add(wt.agentId);
    // 0/0 all the same for one never seen: it may be gone since an earlier run, whose last report the server holds.
    const state = this.seen.has(wt.agentId) ? 'is gone' : 'does not exist';
    this.say(wt.path, `worktree ${wt.path} (${wt.agentId}) ${state}: reporting 0/0 once, then nothing until it exists`);
    return { agentId: wt.agentId, additions: 0, deletions: 0, files: 0 };
  }
}

/**
 * Why a worktree could not be measured: a file given as the worktree is said so, not as git's bare "spawn ENOTDIR"; a
 * directory this user may not enter, not as "spawn git EACCES" (git is there; the directory is what cannot be entered).
 */
function failure(path: string, err: unknown): string {
  const e = err as NodeJS.ErrnoException & { cause?: { code?: unknown } };
  const code = e.code ?? e.cause?.code;
  if (code === 'ENOTDIR') return `${path} is not a directory`;
  if (code === 'EACCES' && unreadable(path, true) !== undefined)
    return `${path} cannot be entered: permission denied (EACCES): chmod it, or run the reporter as its owner`;
  return (err as Error).message;
}
