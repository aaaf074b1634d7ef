import { longerThan, MAX_RECORD_COST_MICRODOLLARS, MAX_RECORD_TOKENS } from '@gasgauge/core';
import type { z } from 'zod';
import { MAX_EPOCH_MS, MAX_ID_CHARS, MAX_USAGE_RECORDS, OTLP_RECORD_PREFIX, type usageBody } from './schemas.js';

type UsageBody = z.output<typeof usageBody>;
type UsageRecord = UsageBody['records'][number];
/** A JSON object read by the fields of the schema only (what else it holds, Object.keys counts). */
type Fields = Partial<Record<'records' | keyof UsageRecord, unknown>>;

/**
 * `usageBody` checked by hand for the common case, a body zod accepts, so a batch of 500 records costs no
 * per-field check objects: the same output as `usageBody.parse`, or undefined for anything it is not sure
 * of, which then goes to zod for the 400 naming the field. It must never accept what zod refuses
 * (usage-fast.test.ts compares the two on generated bodies).
 */
export function fastUsageBody(input: unknown): UsageBody | undefined {
  if (!isObject(input) || Object.keys(input).length !== 1) return undefined;
  const list = input.records;
  if (!Array.isArray(list) || list.length < 1 || list.length > MAX_USAGE_RECORDS) return undefined;
  const records: UsageRecord[] = [];
  for (const item of list) {
    const record = fastRecord(item);
    if (!record) return undefined;
    records.push(record);
  }
  return { records };
}

function fastRecord(v: unknown): UsageRecord | undefined {
  if (!isObject(v)) return undefined;
  const { id, agentId, model, provider, inputTokens, outputTokens, costMicrodollars, at, beadId, session } = v;
  // zod's defaults fill in a missing key only (not a null).
  const reasoningTokens = v.reasoningTokens === undefined ? 0 : v.reasoningTokens;
  const cacheReadTokens = v.cacheReadTokens === undefined ? 0 : v.cacheReadTokens;
  const cacheWriteTokens = v.cacheWriteTokens === undefined ? 0 : v.cacheWriteTokens;
  const mode = v.mode === undefined ? 'cumulative' : v.mode;
  // Every key is one of the schema's: the required ones, and the optional ones that are there.
  let keys = 7;
  for (const optional of [provider, v.reasoningTokens, v.cacheReadTokens, v.cacheWriteTokens, v.mode, beadId, session])
    if (optional !== undefined) keys++;
  if (Object.keys(v).length !== keys) return undefined;
  if (!isId(id) || id.startsWith(OTLP_RECORD_PREFIX) || !isId(agentId) || !isId(model)) return undefined;
  if ((provider !== undefined && !isId(provider)) || (beadId !== undefined && !isId(beadId))) return undefined;
  if (session !== undefined && !isId(session)) return undefined;
  if (mode !== 'cumulative' && mode !== 'delta') return undefined;
  if (
    !isCount(inputTokens, MAX_RECORD_TOKENS) ||
    !isCount(outputTokens, MAX_RECORD_TOKENS) ||
    !isCount(reasoningTokens, MAX_RECORD_TOKENS) ||
    !isCount(cacheReadTokens, MAX_RECORD_TOKENS) ||
    !isCount(cacheWriteTokens, MAX_RECORD_TOKENS) ||
    !isCount(costMicrodollars, MAX_RECORD_COST_MICRODOLLARS) ||
    !isCount(at, MAX_EPOCH_MS)
  )
    return undefined;
  const record: UsageRecord = {
    id,
    agentId,
    model,
    inputTokens,
    outputTokens,
    reasoningTokens,
    cacheReadTokens,
    cacheWriteTokens,
    costMicrodollars,
    at,
    mode,
  };
  if (provider !== undefined) record.provider = provider as string;
  if (beadId !== undefined) record.beadId = beadId as string;
  if (session !== undefined) record.session = session as string;
  return record;
}

function isObject(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isId(v: unknown): v is string {
  return typeof v === 'string' && v.length >= 1 && !longerThan(v, MAX_ID_CHARS);
}

export function isCount(v: unknown, max: number): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= max;
}
