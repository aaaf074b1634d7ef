import { type CodexLine, type CodexUsage, subtractUsage } from './parse.js';

/** One turn's usage, as ccusage counts it. */
export interface CodexTurn {
  at: number;
  model: string;
  usage: CodexUsage;
  cwd: string | undefined;
}

type TokensLine = Extract<CodexLine, { kind: 'tokens' }>;

/**
 * What reading a rollout file up to a line boundary leaves behind, enough to go on from there after a
 * restart: it is saved (as JSON) with the file's offset, in the same transaction.
 */
export interface RolloutState {
  /** The last `total_token_usage`: a turn without `last_token_usage` is the increase over it. */
  prev: CodexUsage | null;
  model: string | null;
  cwd: string | null;
  /**
   * Sub-agent replay (ccusage's rule): a file naming `thread_spawn` in its first 16 KiB whose first two
   * usage events fall in the same second begins with a replay of its parent's turns; every usage event
   * of that second at the start is skipped. `done`: no (more) replay to look for; `one`: the first usage
   * event is held until the next one decides; `skip`: inside the replay.
   */
  replay: 'done' | 'probe' | 'one' | 'skip';
  second: string | null;
  pending: TokensLine | null;
}

export function newRolloutState(subagent: boolean): RolloutState {
  return { prev: null, model: null, cwd: null, replay: subagent ? 'probe' : 'done', second: null, pending: null };
}

/** ccusage 20.0.24's stand-ins for `codex-auto-review`, the newest first: the model released by the turn's date. */
export const AUTO_REVIEW: readonly [string, string][] = [
  ['2026-07-30', 'gpt-5.6-luna'],
  ['2026-03-05', 'gpt-5.4'],
  ['2026-02-05', 'gpt-5.3-codex'],
  ['2025-12-11', 'gpt-5.2-codex'],
  ['2025-11-13', 'gpt-5.1-codex'],
  ['2025-09-15', 'gpt-5-codex'],
  ['2025-08-07', 'gpt-5'],
];
/** A turn before any model is named is priced as gpt-5 (ccusage marks it a fallback). */
const FALLBACK_MODEL = 'gpt-5';

function autoReview(at: number): string {
  const date = new Date(at).toISOString().slice(0, 10);
  return AUTO_REVIEW.find(([since]) => date >= since)?.[1] ?? FALLBACK_MODEL;
}

/** Feeds one parsed line; returns the turns it completes (0, 1, or 2 when it ends a held event). */
export function feedLine(s: RolloutState, line: CodexLine): CodexTurn[] {
  if (line === 'other' || line === 'malformed') return [];
  if (line.kind === 'meta' || line.kind === 'context') {
    if (line.cwd) s.cwd = line.cwd;
    if (line.kind === 'context' && line.model) s.model = line.model;
    return [];
  }
  return feedTokens(s, line);
}

function feedTokens(s: RolloutState, t: TokensLine): CodexTurn[] {
  const hasUsage = t.last !== undefined || t.total !== undefined;
  if (s.replay === 'probe') {
    if (!hasUsage || t.at === undefined) return [];
    if (t.second === undefined) {
      s.replay = 'done';
      return turn(s, t);
    }
    s.replay = 'one';
    s.second = t.second;
    s.pending = t;
    return [];
  }
  if (s.replay === 'one') {
    if (!hasUsage || t.at === undefined) return [];
    const pending = s.pending as TokensLine;
    s.pending = null;
    if (t.second === s.second) {
      s.replay = 'skip';
      skipped(s, pending);
      skipped(s, t);
      return [];
    }
    s.replay = 'done';
    return [...turn(s, pending), ...turn(s, t)];
  }
  if (s.replay === 'skip') {
    if (t.at === undefined) return [];
    if (t.second === s.second) {
      skipped(s, t);
      return [];
    }
    s.replay = 'done';
  }
  return turn(s, t);
}

/** A held first event whose file went quiet without a second one: it was no replay. */
export function settle(s: RolloutState): CodexTurn[] {
  if (s.replay !== 'one' || !s.pending) return [];
  const pending = s.pending;
  s.pending = null;
  s.replay = 'done';
  return turn(s, pending);
}

function skipped(s: RolloutState, t: TokensLine): void {
  if (t.total) s.prev = t.total;
}

function turn(s: RolloutState, t: TokensLine): CodexTurn[] {
  if (t.at === undefined) return [];
  const raw = t.last ?? (t.total ? subtractUsage(t.total, s.prev ?? undefined) : undefined);
  if (t.total) s.prev = t.total;
  if (!raw || raw.input + raw.cached + raw.output + raw.reasoning === 0) return [];
  if (t.model) s.model = t.model;
  let model = s.model;
  if (model === null) model = s.model = FALLBACK_MODEL;
  if (model === 'codex-auto-review') model = autoReview(t.at);
  return [{ at: t.at, model, usage: { ...raw, cached: Math.min(raw.cached, raw.input) }, cwd: s.cwd ?? undefined }];
}
