import { BoundedMap } from '@gasgauge/core/bounded-map';
import { boundedId, digest } from '../ids.js';
import { isJsonObject, type JsonFields, parseJson } from '../json.js';
import { parseTimestamp } from '../timestamp.js';
/**
 * Gemini CLI chat files, as ccusage 20.x reads them (so totals agree with it):
 * - `.json`, rewritten whole by Gemini CLI: `{sessionId, startTime, messages: [...]}`; every message of
 *   `type: "gemini"` with `tokens` is one response;
 * - `.jsonl`, appended: one record a line; a `type: "gemini"` record whose `id` was seen before replaces
 *   the earlier one (an update of the same response); a record's `model` is remembered for the next;
 * - a file that is one response, or a `stats` summary (`gemini -p --output-format json`), also counts.
 * `tokens`: `input` (cached included), `output`, `cached`, `thoughts`, `tool`, `total`.
 */
export interface GeminiEvent {
  /** The message id, when the record has one. */
  id: string | undefined;
  /** Without an id: what names the response in its chat whatever else the chat holds (see anchorOf). */
  anchor?: string | undefined;
  session: string;
  at: number;
  model: string;
  /** Prompt tokens without the cached ones, tool-use prompt tokens included. */
  input: number;
  cacheRead: number;
  output: number;
  /** Thoughts, plus anything `total` has that no other count explains (ccusage's rule). */
  reasoning: number;
}

type Obj = JsonFields;
const isObj = isJsonObject;

interface Tokens {
  input: number;
  output: number;
  cached: number;
  thoughts: number;
  tool: number;
  total: number | undefined;
}

function num(v: unknown): number | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
  return Math.trunc(Math.max(0, v));
}

function first(o: Obj, keys: readonly string[]): number {
  for (const k of keys) {
    const n = num(o[k]);
    if (n !== undefined) return n;
  }
  return 0;
}

function tokensOf(v: unknown): Tokens | undefined {
  if (!isObj(v)) return undefined;
  return {
    input: first(v, ['input', 'prompt', 'input_tokens', 'prompt_tokens']),
    output: first(v, ['output', 'candidates', 'output_tokens', 'candidates_tokens']),
    cached: first(v, ['cached', 'cached_tokens']),
    thoughts: first(v, ['thoughts', 'reasoning', 'thoughts_tokens', 'reasoning_tokens']),
    tool: first(v, ['tool', 'tool_tokens']),
    total: num('total' in v ? v.total : v.total_tokens),
  };
}

function str(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

function time(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  return parseTimestamp(v);
}

/** [input without cache, cache read]: cached tokens are inside `input` (Gemini's promptTokenCount). */
function withoutCache(t: Tokens): [number, number] {
  return [t.input - Math.min(t.input, t.cached), t.cached];
}

/**
 * ccusage's rule for a chat message: `input` holds the cached tokens only when `total` says so (total =
 * input + output + thoughts + tool, and not that plus cached); otherwise both are taken as they are.
 */
function chatInput(t: Tokens): [number, number] {
  const inclusive = t.input + t.output + t.thoughts + t.tool;
  if (t.cached > 0 && t.total === inclusive && t.total !== inclusive + t.cached) return withoutCache(t);
  return [t.input, t.cached];
}

function build(
  model: string | undefined,
  session: string,
  at: number,
  t: Tokens,
  split: (t: Tokens) => [number, number],
  id: string | undefined,
): GeminiEvent | undefined {
  if (model === undefined || model.trim() === '') return undefined;
  const [bare, cacheRead] = split(t);
  const input = bare + t.tool;
  let output = t.output;
  let reasoning = t.thoughts;
  const total = t.total ?? input + output + cacheRead + reasoning;
  const missing = Math.max(0, total - (input + output + cacheRead + reasoning));
  if (missing > 0) {
    if (output === 0) output = missing;
    else reasoning += missing;
  }
  if (input + output + cacheRead + reasoning === 0) return undefined;
  return { id, session, at, model, input, cacheRead, output, reasoning };
}

function direct(r: Obj, modelHint: string | undefined, session: string, fallbackAt: number): GeminiEvent | undefined {
  const t = tokensOf(r.tokens);
  if (!t) return undefined;
  const at = time(r.timestamp) ?? time(r.created_at) ?? fallbackAt;
  const e = build(str(r.model) ?? modelHint, session, at, t, chatInput, str(r.id));
  if (e && e.id === undefined) e.anchor = anchorOf(r);
  return e;
}

/**
 * What names a response without an id in its chat, from the record alone: its own time when it has one, else a digest
 * of the record less its counts (`tokens`, `stats`, `result`). Not its place: a chat rewritten with a message inserted
 * or dropped before it shifted every number after, and the responses were sent again under new ids (doubled at the
 * server) or their old ids took others' counts (lost). Not its counts: an update of the response keeps its id.
 */
function anchorOf(r: Obj): string {
  const own = str(r.timestamp) ?? str(r.created_at);
  if (own !== undefined) return `t:${own}`;
  const { tokens: _t, stats: _s, result: _r, ...rest } = r;
  return `r:${digest(JSON.stringify(rest))}`;
}

function stats(v: unknown, modelHint: string | undefined, session: string, at: number, anchor: string): GeminiEvent[] {
  if (!isObj(v)) return [];
  if (isObj(v.models)) {
    const out: GeminiEvent[] = [];
    for (const [model, data] of Object.entries(v.models)) {
      const t = isObj(data) ? tokensOf(data.tokens) : undefined;
      const e = t && build(model, session, at, t, withoutCache, undefined);
      if (e) out.push({ ...e, anchor });
    }
    if (out.length > 0) return out;
  }
  const t = tokensOf(v);
  const e = t && build(modelHint ?? 'unknown', session, at, t, withoutCache, undefined);
  return e ? [{ ...e, anchor }] : [];
}

const statsOf = (r: Obj): unknown => r.stats ?? (isObj(r.result) ? r.result.stats : undefined);

/** A `.json` file; `stem` is the file name without extension, `mtime` the fallback time. Undefined when it is not JSON. */
export function parseGeminiJson(content: string, stem: string, mtime: number): GeminiEvent[] | undefined {
  const parsed = parseJson(content);
  if (!parsed) return undefined;
  const raw = parsed.value;
  if (!isObj(raw)) return [];
  const session = str(raw.sessionId) ?? str(raw.session_id) ?? stem;
  if (Array.isArray(raw.messages)) {
    const at = time(raw.startTime) ?? time(raw.lastUpdated) ?? mtime;
    const out: GeminiEvent[] = [];
    for (const m of raw.messages) {
      if (!isObj(m) || m.type !== 'gemini') continue;
      const e = direct(m, undefined, session, at);
      if (e) out.push(e);
    }
    return out;
  }
  if (raw.type === 'gemini') {
    const e = direct(raw, undefined, session, mtime);
    return e ? [e] : [];
  }
  return stats(statsOf(raw), str(raw.model), session, time(raw.timestamp) ?? mtime, anchorOf(raw));
}

/** What reading a `.jsonl` chat carries from one line to the next (saved with the file's cursor). */
export interface GeminiJsonlState {
  /** The session id the last record named, else the file name's stem. */
  session: string;
  /** The model the last record named: it stands for the records after it that name none. */
  model: string | undefined;
  /** Responses without an id: how many had each name so far (see unnamedId), the most recently seen names only, oldest first. */
  recent?: [string, number][];
}

export function newGeminiJsonlState(stem: string): GeminiJsonlState {
  return { session: stem, model: undefined, recent: [] };
}

/** Names of responses without an id remembered per file (see unnamedId): what a `.jsonl` chat's saved state holds at most. */
const MAX_RECENT_NAMES = 256;

/**
 * The record id of a response without an id: its session, model and anchor (anchorOf), and how many responses of the
 * file with all three came before it (two identical id-less responses are two). `recent` counts them, the most
 * recently seen `MAX_RECENT_NAMES` names kept (saved with a `.jsonl` chat's state, so bounded): a name seen again
 * after that many others would be taken for the first again. The same in every file of the session: a copy of a chat
 * counts its responses once, as the responses with ids.
 */
export function unnamedId(e: GeminiEvent, recent: BoundedMap<string, number>): string {
  const name = digest(`${e.session}\n${e.model}\n${e.anchor ?? ''}`);
  const before = recent.get(name) ?? 0;
  // The newest again (see BoundedMap): a name that keeps coming back is kept.
  recent.delete(name);
  recent.set(name, before + 1);
  return `gemini:${digest(`${name}\n${before}`)}`;
}

/** The names of responses without an id a file's read remembers (see unnamedId): those saved, when given. */
export function recentNames(saved?: readonly [string, number][]): BoundedMap<string, number> {
  const recent = new BoundedMap<string, number>(MAX_RECENT_NAMES);
  for (const [name, n] of saved ?? []) recent.set(name, n);
  return recent;
}

/**
 * Lines of a `.jsonl` chat, in order, from where `state` left off (which they move on): the events and how
 * many lines were not JSON. A record whose id came earlier in these lines replaces that event (one event
 * per response); across calls the record ids do it (an update sends the same id again).
 */
export function feedGeminiJsonl(
  state: GeminiJsonlState,
  lines: readonly string[],
  mtime: number,
): { events: GeminiEvent[]; malformed: number } {
  const events: GeminiEvent[] = [];
  const byId = new Map<string, number>();
  let malformed = 0;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const parsed = parseJson(line);
    if (!parsed) {
      malformed++;
      continue;
    }
    const raw = parsed.value;
    if (!isObj(raw)) continue;
    // Bounded as ids (ids.ts): the state is saved with every batch read, and a line may be 64 MiB; a 30 MB
    // model name was written again per MiB read. A longer session is sent as its `sha:` id then, which no
    // OTLP export names (before, it was left out).
    const session = str(raw.sessionId) ?? str(raw.session_id);
    if (session !== undefined) state.session = boundedId(session);
    const model = str(raw.model);
    if (model !== undefined) state.model = boundedId(model);
    if (raw.type === 'gemini') {
      const e = direct(raw, state.model, state.session, mtime);
      if (!e) continue;
      const at = e.id === undefined ? undefined : byId.get(e.id);
      if (at !== undefined) events[at] = e;
      else {
        if (e.id !== undefined) byId.set(e.id, events.length);
        events.push(e);
      }
      continue;
    }
    const s = statsOf(raw);
    if (s !== undefined) events.push(...stats(s, state.model, state.session, time(raw.timestamp) ?? mtime, anchorOf(raw)));
  }
  return { events, malformed };
}
