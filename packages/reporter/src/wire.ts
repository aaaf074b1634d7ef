/**
 * The records the ingest API takes, as the API's own schemas declare them (docs/api.md explains them).
 * Type-only imports: nothing of the server's packages is loaded at run time.
 */
import type { LocReportInput, TownEventInput, UsageRecordInput } from '@gasgauge/api';
import { plural } from './plural.js';

/** The reporter always sends all five token counts. */
export type UsageRecord = UsageRecordInput & { reasoningTokens: number; cacheReadTokens: number; cacheWriteTokens: number };
export type LocReport = LocReportInput;
export type TownEvent = TownEventInput;
export type AgentStatus = Extract<TownEvent, { type: 'agent' }>['status'];
export type BeadStatus = Extract<TownEvent, { type: 'bead' }>['status'];

/** The three things the outbox holds, each with the route it goes to and the body key it is sent under. */
export type RecordKind = 'usage' | 'loc' | 'event';

export const ROUTES: Record<RecordKind, { path: string; key: 'records' | 'agents' | 'events' }> = {
  usage: { path: 'usage', key: 'records' },
  loc: { path: 'loc', key: 'agents' },
  event: { path: 'events', key: 'events' },
};

/** Server bounds (packages/api/src/ingest/schemas.ts): ids are 1..256 characters. */
export const MAX_ID_LENGTH = 256;
/** Server bound (packages/api/src/ingest/schemas.ts): an event's or record's `at` is epoch ms from 0 to this (year 2286). */
export const MAX_EPOCH_MS = 10_000_000_000_000;

/** Server bounds (core `bounds.ts`): a usage record's tokens of one kind, and its cost. */
export const MAX_RECORD_TOKENS = 1_000_000_000;
export const MAX_RECORD_COST_MICRODOLLARS = 10_000_000_000;

type CountField =
  | 'inputTokens'
  | 'outputTokens'
  | 'reasoningTokens'
  | 'cacheReadTokens'
  | 'cacheWriteTokens'
  | 'costMicrodollars'
  | 'at';
type IdField =
  | 'id'
  | 'agentId'
  | 'model'
  | 'provider'
  | 'beadId'
  | 'session'
  | 'role'
  | 'kind'
  | 'assigneeAgentId'
  | 'parentId'
  | 'name';
/** The fields of a record the checks below look at. */
type CheckedFields = Partial<Record<CountField | IdField | 'title', unknown>>;

const USAGE_COUNTS: readonly [CountField, number][] = [
  ['inputTokens', MAX_RECORD_TOKENS],
  ['outputTokens', MAX_RECORD_TOKENS],
  ['reasoningTokens', MAX_RECORD_TOKENS],
  ['cacheReadTokens', MAX_RECORD_TOKENS],
  ['cacheWriteTokens', MAX_RECORD_TOKENS],
  ['costMicrodollars', MAX_RECORD_COST_MICRODOLLARS],
  ['at', MAX_EPOCH_MS],
];
const EVENT_COUNTS: readonly [CountField, number][] = [['at', MAX_EPOCH_MS]];
/** Server bound: a bead event's title. */
const MAX_TITLE_LENGTH = 1000;
const USAGE_IDS: readonly IdField[] = ['id', 'agentId', 'model', 'provider', 'beadId', 'session'];
const EVENT_IDS: readonly IdField[] = ['id', 'agentId', 'beadId', 'role', 'kind', 'assigneeAgentId', 'parentId', 'name'];

/**
 * A string's length as the API's schemas measure it: in code points (a surrogate pair counts once, a lone
 * surrogate as itself), not UTF-16 units. Counted in units, an id of 129 to 256 emoji was kept back as too long
 * though the API takes it (wire-bounds.test.ts).
 */
export function characters(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    if ((s.charCodeAt(i) & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n--;
      i++;
    }
  }
  return n;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The field of a record holding a lone UTF-16 surrogate in a string or key (a transcript's `"\ud800"`, valid JSON),
 * said as the API refuses it (docs/api.md, Text), or undefined. Call it only when the record's JSON text holds an
 * escaped surrogate (`\ud…`, which JSON.stringify writes for a lone one only): most records never pay for the walk.
 * Iterative: a note's data may be deep.
 */
export function loneSurrogateProblem(record: object): string | undefined {
  const stack: { value: unknown; path: string }[] = [{ value: record, path: '' }];
  for (let node = stack.pop(); node; node = stack.pop()) {
    const { value, path } = node;
    if (typeof value === 'string') {
      if (LONE_SURROGATE.test(value)) return `${path}: a lone UTF-16 surrogate (\\ud800–\\udfff) is not text`;
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: `${path}[${i}]` });
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, child] = entries[i] as [string, unknown];
        const at = path === '' ? k : `${path}.${k}`;
        if (LONE_SURROGATE.test(k)) return `${at}: a lone UTF-16 surrogate (\\ud800–\\udfff) in a key is not text`;
        stack.push({ value: child, path: at });
      }
    }
  }
  return undefined;
}

/**
 * Why the API would refuse this record by its per-record bounds (docs/api.md), or undefined. Checked before
 * sending (Store.enqueue): the API names one refused record per answer, so each such record cost a round trip
 * of its whole batch, sent again less that one record.
 */
export function recordProblem(kind: RecordKind, record: object): string | undefined {
  if (kind === 'loc') return undefined;
  const r = record as CheckedFields;
  for (const key of kind === 'usage' ? USAGE_IDS : EVENT_IDS) {
    const v = r[key];
    // In units first: a string that fits in units fits in code points (only a longer one is counted).
    if (typeof v === 'string' && (v.length < 1 || (v.length > MAX_ID_LENGTH && characters(v) > MAX_ID_LENGTH)))
      return `${key}: ${plural(characters(v), 'character')}, the API takes 1 to ${MAX_ID_LENGTH}`;
  }
  if (
    kind === 'event' &&
    typeof r.title === 'string' &&
    r.title.length > MAX_TITLE_LENGTH &&
    characters(r.title) > MAX_TITLE_LENGTH
  )
    return `title: ${plural(characters(r.title), 'character')}, the API takes up to ${MAX_TITLE_LENGTH}`;
  for (const [key, max] of kind === 'usage' ? USAGE_COUNTS : EVENT_COUNTS) {
    const v = r[key];
    if (v === undefined) continue; // a missing field is the sender's bug, not the file's: the server says so
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max)
      return `${key}: ${String(v)}, the API takes an integer from 0 to ${max}`;
  }
  return undefined;
}
