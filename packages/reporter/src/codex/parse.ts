import { isJsonObject, type JsonFields, parseJson } from '../json.js';
import { parseTimestamp } from '../timestamp.js';
import { MAX_EPOCH_MS } from '../wire.js';
/**
 * One line of a Codex CLI rollout file (`sessions/YYYY/MM/DD/rollout-*.jsonl`), as far as usage goes:
 * `session_meta` and `turn_context` carry the cwd (and turn_context the model); `event_msg` lines with
 * `payload.type == "token_count"` carry `info.last_token_usage` (this turn) and `info.total_token_usage`
 * (the session so far). Field spellings and fallbacks follow ccusage 20.x, so totals agree with it.
 */
export interface CodexUsage {
  /** Includes `cached`. */
  input: number;
  cached: number;
  /** Includes `reasoning`. */
  output: number;
  reasoning: number;
  total: number;
}

export type CodexLine =
  | { kind: 'context'; model: string | undefined; cwd: string | undefined }
  | {
      kind: 'meta';
      cwd: string | undefined;
      /** The session's id (`payload.id`). */
      id: string | undefined;
      /** `forked_from_id`, else `source.subagent.thread_spawn.parent_thread_id`: the session whose usage this one's file begins by replaying. */
      parent: string | undefined;
      /** The line's time, epoch ms: a fork replays its parent's usage up to then. */
      at: number | undefined;
    }
  | {
      kind: 'tokens';
      /** Epoch ms, or undefined when the line has no usable timestamp (ccusage skips it). */
      at: number | undefined;
      /** The first 19 characters of the timestamp as written: the second ccusage's replay rule compares. */
      second: string | undefined;
      last: CodexUsage | undefined;
      total: CodexUsage | undefined;
      model: string | undefined;
    }
  | 'other'
  | 'malformed';

type Obj = JsonFields;
const isObj = isJsonObject;

/** ccusage's cheap filter: only lines naming one of these types are decoded. */
export const CODEX_MARKERS = ['"turn_context"', '"token_count"', '"session_meta"'] as const;

/** A non-negative integer, or a string holding one (ccusage reads both); anything else is absent. */
function count(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  if (typeof v === 'string' && /^\s*\d+\s*$/.test(v)) {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

function firstCount(o: Obj, keys: readonly string[]): number | undefined {
  for (const k of keys) {
    const n = count(o[k]);
    if (n !== undefined) return n;
  }
  return undefined;
}

export function usageOf(v: unknown): CodexUsage | undefined {
  if (!isObj(v)) return undefined;
  const input = firstCount(v, ['input_tokens', 'prompt_tokens', 'input']) ?? 0;
  const output = firstCount(v, ['output_tokens', 'completion_tokens', 'output']) ?? 0;
  const reasoning = firstCount(v, ['reasoning_output_tokens', 'reasoning_tokens']) ?? 0;
  const cached = firstCount(v, ['cached_input_tokens', 'cache_read_input_tokens', 'cached_tokens']) ?? 0;
  const given = count(v.total_tokens);
  // A zero total with tokens elsewhere is a legacy entry: recomputed, as ccusage does.
  const total = given !== undefined && (given > 0 || input + output + reasoning === 0) ? given : input + output + reasoning;
  return { input, cached, output, reasoning, total };
}

function text(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

/** A string that is not empty, as ccusage takes a session's id and its parent's (not trimmed). */
function nonEmpty(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** `model`, else `model_name`, else `metadata.model`. */
function modelOf(o: Obj | undefined): string | undefined {
  if (!o) return undefined;
  return text(o.model) ?? text(o.model_name) ?? (isObj(o.metadata) ? text(o.metadata.model) : undefined);
}

function timestampOf(v: unknown): { at: number | undefined; second: string | undefined } {
  if (typeof v === 'string') {
    const t = v.trim();
    if (t === '') return { at: undefined, second: undefined };
    return { at: parseTimestamp(t), second: t.length >= 19 ? t.slice(0, 19) : undefined };
  }
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) {
    // Seconds or milliseconds, as ccusage reads them.
    const at = v > 10_000_000_000 ? v : v * 1000;
    // A time the server cannot take (after 2286) is none. Past 8.64e15 toISOString threw: one such line
    // stopped every read of every source after it (`reading sources failed: Invalid time value`), for good.
    if (at > MAX_EPOCH_MS) return { at: undefined, second: undefined };
    return { at, second: new Date(at).toISOString().slice(0, 19) };
  }
  return { at: undefined, second: undefined };
}

export function parseCodexLine(line: string): CodexLine {
  const parsed = parseJson(line);
  if (!parsed || !isObj(parsed.value)) return 'malformed';
  const raw = parsed.value;
  const payload = isObj(raw.payload) ? raw.payload : undefined;
  if (raw.type === 'turn_context') return { kind: 'context', model: modelOf(payload), cwd: text(payload?.cwd) };
  if (raw.type === 'session_meta') {
    const spawn = isObj(payload?.source) && isObj(payload.source.subagent) ? payload.source.subagent.thread_spawn : undefined;
    // As ccusage: a string `forked_from_id`, even empty, is the answer (and an empty one means none).
    const forked = payload?.forked_from_id;
    const parent = nonEmpty(typeof forked === 'string' ? forked : isObj(spawn) ? spawn.parent_thread_id : undefined);
    return { kind: 'meta', cwd: text(payload?.cwd), id: nonEmpty(payload?.id), parent, at: timestampOf(raw.timestamp).at };
  }
  if (raw.type !== 'event_msg' || payload?.type !== 'token_count') return 'other';
  const info = isObj(payload.info) ? payload.info : undefined;
  return {
    kind: 'tokens',
    ...timestampOf(raw.timestamp),
    last: usageOf(info?.last_token_usage),
    total: usageOf(info?.total_token_usage),
    model: modelOf(payload) ?? modelOf(info),
  };
}

/** What a turn added when only cumulative totals are given: each amount's increase (never negative). */
export function subtractUsage(now: CodexUsage, before: CodexUsage | undefined): CodexUsage {
  const d = (k: keyof CodexUsage) => Math.max(0, now[k] - (before?.[k] ?? 0));
  return { input: d('input'), cached: d('cached'), output: d('output'), reasoning: d('reasoning'), total: d('total') };
}
