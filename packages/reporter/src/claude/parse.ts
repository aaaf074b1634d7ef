import { isJsonObject, type JsonFields, parseJson } from '../json.js';
import { parseTimestamp } from '../timestamp.js';

/**
 * One Claude Code transcript line that carries an API response's usage. Two shapes hold one:
 * - an assistant line: `{timestamp, sessionId, cwd, isSidechain, requestId, costUSD?, message: {id, model, usage}}`;
 * - an `agent_progress` line of a parent session, embedding a subagent's assistant line as
 *   `data.message` (the same response is also in the subagent's own file; the dedupe key joins them).
 *
 * Validation follows ccusage (20.x), so the totals agree with it: a line whose usage lacks integer
 * input/output tokens, whose timestamp does not parse, whose version is not semver-like, or that has
 * an empty or null id/model/requestId/sessionId/costUSD, adds nothing.
 */
export interface ClaudeEntry {
  messageId: string | undefined;
  requestId: string | undefined;
  /** The Claude Code session the line was written in: its OTLP export's `session.id` too. */
  sessionId: string | undefined;
  sidechain: boolean;
  model: string | undefined;
  at: number;
  cwd: string | undefined;
  costUSD: number | undefined;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  /** What ccusage counts as cache creation: the 5m + 1h breakdown when present, else the flat field. */
  cacheWrite: number;
  /** `usage.speed` was given ("fast" or "standard"): ccusage prefers such a copy on a tie. */
  speedSet: boolean;
  fast: boolean;
  fromProgress: boolean;
}

export type ParseResult = ClaudeEntry | 'malformed' | 'other';

type Obj = JsonFields;
const isObj = isJsonObject;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const SEMVER_PREFIX = /^\d+\.\d+\.\d/;

/** undefined when absent; null when present but invalid (the line is then not counted). */
function optString(v: unknown): string | undefined | null {
  if (v === undefined) return undefined;
  return typeof v === 'string' && v !== '' ? v : null;
}

function optCount(v: unknown): number | null {
  if (v === undefined) return 0;
  return isCount(v) ? v : null;
}

export function parseLine(line: string): ParseResult {
  const parsed = parseJson(line);
  if (!parsed || !isObj(parsed.value)) return 'malformed';
  const raw = parsed.value;
  if (isObj(raw.message)) return entryFrom(raw, raw, false);
  const data = raw.data;
  if (isObj(data) && isObj(data.message) && isObj(data.message.message)) return entryFrom(data.message, raw, true);
  return 'other';
}

function entryFrom(line: Obj, outer: Obj, fromProgress: boolean): ParseResult {
  const message = line.message as Obj;
  const usage = message.usage;
  if (!isObj(usage) || !isCount(usage.input_tokens) || !isCount(usage.output_tokens)) return 'other';
  const cacheRead = optCount(usage.cache_read_input_tokens);
  const cacheCreation = optCount(usage.cache_creation_input_tokens);
  if (cacheRead === null || cacheCreation === null) return 'other';
  let cacheWrite5m = cacheCreation;
  let cacheWrite1h = 0;
  let cacheWrite = cacheCreation;
  if (usage.cache_creation !== undefined && usage.cache_creation !== null) {
    if (!isObj(usage.cache_creation)) return 'other';
    const m5 = optCount(usage.cache_creation.ephemeral_5m_input_tokens);
    const h1 = optCount(usage.cache_creation.ephemeral_1h_input_tokens);
    if (m5 === null || h1 === null) return 'other';
    cacheWrite5m = m5;
    cacheWrite1h = h1;
    cacheWrite = m5 + h1;
    // Claude Code 2.1 writes the breakdown as zeros when the API sent none (a gateway or proxy at
    // ANTHROPIC_BASE_URL): the total is still what was written, the rest counted as 5-minute writes.
    if (cacheCreation > cacheWrite) {
      cacheWrite5m += cacheCreation - cacheWrite;
      cacheWrite = cacheCreation;
    }
  }
  const speed = usage.speed;
  if (speed !== undefined && speed !== 'fast' && speed !== 'standard') return 'other';

  // ccusage 20.0.24 takes a Claude line's time only as RFC 3339 with none or three fraction digits.
  const at = typeof line.timestamp === 'string' ? parseTimestamp(line.timestamp, 'three') : undefined;
  if (at === undefined) return 'other';
  const messageId = optString(message.id);
  const model = optString(message.model);
  const requestId = optString(line.requestId);
  const sessionId = optString(line.sessionId);
  const version = line.version;
  if (messageId === null || model === null || requestId === null || sessionId === null) return 'other';
  if (version !== undefined && (typeof version !== 'string' || !SEMVER_PREFIX.test(version))) return 'other';
  const costUSD = line.costUSD;
  if (costUSD !== undefined && (typeof costUSD !== 'number' || !Number.isFinite(costUSD))) return 'other';
  const sidechain = line.isSidechain;
  if (sidechain !== undefined && typeof sidechain !== 'boolean') return 'other';
  const cwd = typeof line.cwd === 'string' ? line.cwd : typeof outer.cwd === 'string' ? outer.cwd : undefined;

  return {
    messageId,
    requestId,
    sessionId,
    sidechain: sidechain === true,
    model,
    at,
    cwd,
    costUSD,
    input: usage.input_tokens,
    output: usage.output_tokens,
    cacheRead,
    cacheWrite5m,
    cacheWrite1h,
    cacheWrite,
    speedSet: speed !== undefined,
    fast: speed === 'fast',
    fromProgress,
  };
}

/** The token total ccusage compares copies of one response by. */
export function entryTotal(e: ClaudeEntry): number {
  return e.input + e.output + e.cacheWrite + e.cacheRead;
}

/**
 * ccusage's order between two copies of one response on the same side (both sidechain or neither): the
 * larger token total, then one that states `speed`; on a tie the copy kept first stays.
 */
export function replaces(total: number, speedSet: boolean, keptTotal: number, keptSpeedSet: boolean): boolean {
  if (total !== keptTotal) return total > keptTotal;
  return speedSet && !keptSpeedSet;
}
