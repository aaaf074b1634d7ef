import { MAX_CWD_CHARS } from '../agents.js';
import { boundedId } from '../ids.js';
import { MAX_ID_LENGTH } from '../wire.js';
import { type CodexLine, type CodexUsage, subtractUsage } from './parse.js';

/** One turn's usage, as ccusage counts it. */
export interface CodexTurn {
  at: number;
  /** The first 19 characters of its timestamp: what ccusage's same-second replay test compares. */
  second: string | undefined;
  model: string;
  usage: CodexUsage;
  cwd: string | undefined;
  /** The session the file's first `session_meta` names: its OTLP logs' `conversation.id` too. */
  session?: string | undefined;
}

type TokensLine = Extract<CodexLine, { kind: 'tokens' }>;

/** The saved state's shape (`v`): a state of another shape is upgraded or the file read again (upgradeState). */
export const STATE_VERSION = 2;

/**
 * What reading a rollout file up to a line boundary leaves behind, enough to go on from there after a
 * restart: it is saved (as JSON) with the file's offset, in the same transaction.
 */
export interface RolloutState {
  /** Format of this saved state: a state saved by an older reporter (no `v`) is upgraded or read again (see upgradeState). */
  v: typeof STATE_VERSION;
  /** The last `total_token_usage`: a turn without `last_token_usage` is the increase over it. */
  prev: CodexUsage | null;
  model: string | null;
  cwd: string | null;
  /**
   * The first `session_meta`'s id (a fork's replay of its parent's meta does not change it): null until it
   * is read, '' when not known (a state saved before this was kept, past the first line).
   */
  session: string | null;
  /**
   * A forked or sub-agent session's file begins with a replay of its parent's usage (ccusage 20.0.24's rule,
   * decided by the file's first line, see SessionHead). Its leading turns equal to the parent's turns up to the
   * fork, in order, are skipped (`match`, `parent` the parent's file, null when it is not found: nothing to
   * match). When not even the first turn matches, the file's first two usage lines decide: in the same second,
   * every turn of that second at the start is a replay (`skip`); else none is (`done`). Until the second usage
   * line is read, the turns are held (`one`, counted if the file goes quiet first).
   */
  replay: 'done' | 'match' | 'one' | 'skip';
  parent: string | null;
  /** The fork's time: the parent's turns after it are not in the replay. */
  forkedAt: number | null;
  /** Parent turns matched so far. */
  index: number;
  /** The seconds of the file's first two usage lines. */
  seconds: string[];
  /** The replayed second, in `skip`. */
  second: string | null;
  held: CodexTurn[];
}

/** The replay a file begins with, from its first line: none, or a fork of `parent` (a file, or null: not found) at `forkedAt`. */
export type ForkOf = { parent: string | null; forkedAt: number | null } | undefined;

export function newRolloutState(fork: ForkOf): RolloutState {
  return {
    v: STATE_VERSION,
    prev: null,
    model: null,
    cwd: null,
    session: null,
    replay: fork ? 'match' : 'done',
    parent: fork?.parent ?? null,
    forkedAt: fork?.forkedAt ?? null,
    index: 0,
    seconds: [],
    second: null,
    held: [],
  };
}

/**
 * A state saved by an older reporter: one past any replay goes on as it was; one still looking for a replay
 * (its held event saved in another shape) is undefined, and the file is read again from its start (the
 * record ids make that add nothing).
 */
export function upgradeState(saved: unknown): RolloutState | undefined {
  const s = saved as Partial<RolloutState> & { replay?: string };
  if (s.v === STATE_VERSION) return { ...(s as RolloutState), session: s.session ?? '' };
  if (s.replay !== 'done') return undefined;
  return { ...newRolloutState(undefined), prev: s.prev ?? null, model: s.model ?? null, cwd: s.cwd ?? null, session: '' };
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

/** Turns held at most while a replay is undecided (see filter). */
const MAX_HELD = 1000;

/** Feeds one parsed line; returns the turns it completes. `prefix` gives the parent's turns a fork replays. */
export function feedLine(state: RolloutState, line: CodexLine, prefix: () => readonly CodexUsage[]): CodexTurn[] {
  if (line === 'other' || line === 'malformed') return [];
  if (line.kind === 'meta' || line.kind === 'context') {
    // Kept in the state, which is saved with every batch read: each bounded as what it is used for, or a 30 MB
    // model name (a line may be 64 MiB) was written again per MiB read (130 MB of rollout: 65 s, 60 MB of state).
    // A cwd past MAX_CWD_CHARS names no agent, and a session past MAX_ID_LENGTH is not sent: both as before.
    if (line.cwd) state.cwd = line.cwd.length > MAX_CWD_CHARS ? null : line.cwd;
    if (line.kind === 'meta' && state.session === null && line.id !== undefined)
      state.session = line.id.length > MAX_ID_LENGTH ? '' : line.id;
    if (line.kind === 'context' && line.model) state.model = boundedId(line.model);
    return [];
  }
  const out: CodexTurn[] = [];
  if ((line.last !== undefined || line.total !== undefined) && line.second !== undefined && state.seconds.length < 2) {
    state.seconds.push(line.second);
    // The turns held for the file's second usage line: it is here.
    if (state.replay === 'one' && state.seconds.length === 2) {
      const held = state.held;
      state.held = [];
      bySeconds(state);
      for (const t of held) out.push(...filter(state, t, prefix));
    }
  }
  const t = visit(state, line);
  if (t) out.push(...filter(state, t, prefix));
  return out;
}

/** Files that end before their second usage line held their turns for nothing: ccusage then sees no replay. */
export function settle(state: RolloutState): CodexTurn[] {
  if (state.replay !== 'one') return [];
  state.replay = 'done';
  const held = state.held;
  state.held = [];
  return held;
}

/** ccusage's fallback when no parent turn matched: a replay iff the file's first two usage lines share a second. */
function bySeconds(state: RolloutState): void {
  if (state.seconds[0] === state.seconds[1]) {
    state.replay = 'skip';
    state.second = state.seconds[0] ?? null;
  } else state.replay = 'done';
}

/** Whether a turn counts, given the replay its file begins with (see RolloutState.replay). */
function filter(state: RolloutState, t: CodexTurn, prefix: () => readonly CodexUsage[]): CodexTurn[] {
  switch (state.replay) {
    case 'done':
      return [t];
    case 'one':
      state.held.push(t);
      // Turns without a usable second cannot decide: past a bound, a file is taken as no replay (its state stays small).
      return state.held.length >= MAX_HELD ? settle(state) : [];
    case 'skip':
      if (t.second === state.second) return [];
      state.replay = 'done';
      return [t];
    case 'match': {
      const replayed = prefix()[state.index];
      if (replayed && sameUsage(replayed, t.usage)) {
        state.index++;
        return [];
      }
      if (state.index > 0) {
        state.replay = 'done';
        return [t];
      }
      if (state.seconds.length < 2) {
        state.replay = 'one';
        state.held = [t];
        return [];
      }
      bySeconds(state);
      return filter(state, t, prefix);
    }
  }
}

export function sameUsage(a: CodexUsage, b: CodexUsage): boolean {
  return (
    a.input === b.input && a.cached === b.cached && a.output === b.output && a.reasoning === b.reasoning && a.total === b.total
  );
}

/**
 * The turn a token_count line makes, as ccusage visits it: `last_token_usage` unless the running totals did
 * not move (a repeated event), else the increase of the totals; nothing when all four counts are zero.
 */
function visit(state: RolloutState, t: TokensLine): CodexTurn | undefined {
  if (t.at === undefined) return undefined;
  const advanced = !t.total || !state.prev || !sameUsage(t.total, state.prev);
  const raw = (advanced ? t.last : undefined) ?? (t.total ? subtractUsage(t.total, state.prev ?? undefined) : undefined);
  if (t.total) state.prev = t.total;
  if (!raw || raw.input + raw.cached + raw.output + raw.reasoning === 0) return undefined;
  if (t.model) state.model = boundedId(t.model);
  let model = state.model;
  if (model === null) model = state.model = FALLBACK_MODEL;
  if (model === 'codex-auto-review') model = autoReview(t.at);
  return {
    at: t.at,
    second: t.second,
    model,
    usage: { ...raw, cached: Math.min(raw.cached, raw.input) },
    cwd: state.cwd ?? undefined,
    session: state.session || undefined,
  };
}
