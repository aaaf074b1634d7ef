import { MAX_ACTIVITY_VALUE, MAX_RECORD_COST_MICRODOLLARS, MAX_RECORD_TOKENS } from '@gasgauge/core';
import type { z } from 'zod';
import { issuePath, reportedIssue } from '../http/validate.js';
import { MAX_EPOCH_MS, OTLP_RECORD_PREFIX, otlpActivityRecord, otlpUsageRecord } from '../ingest/schemas.js';
import { isCount, isId } from '../ingest/usage-fast.js';
import type { ExportOutcome } from './metrics.js';

/**
 * The records an export built, held to the bounds of a posted usage record (ingest/schemas.ts) before any is
 * written: each one past them is rejected alone (as an hour bound rejects it), the rest kept. Every record the
 * receiver builds passes here (routes.ts), so a bound the mapping forgets to check by hand is still kept: an
 * agent or model of an empty attribute, or a provider of a 1,024-character one, had been stored.
 */
export function withinRecordBounds(outcome: ExportOutcome): ExportOutcome {
  const out: ExportOutcome = { ...outcome, records: [], activity: [] };
  const keep = <R>(schema: z.ZodType, plainlyWithin: (r: R) => boolean, records: readonly R[], into: R[]) => {
    for (const record of records) {
      // The schema only for a record the plain check is not sure of: it costs ~4 µs a record (18 ms an export).
      const result = plainlyWithin(record) ? undefined : schema.safeParse(record);
      if (result === undefined || result.success) {
        into.push(record);
        continue;
      }
      const issue = reportedIssue(result.error.issues);
      out.rejected++;
      out.reason ??= `${issuePath(issue?.path, 'record')}: ${issue?.message ?? 'invalid'}`;
    }
  };
  keep(otlpUsageRecord, plainUsage, outcome.records, out.records);
  keep(otlpActivityRecord, plainActivity, outcome.activity, out.activity);
  return out;
}

const isOtlpId = (v: unknown) => isId(v) && v.startsWith(OTLP_RECORD_PREFIX);
const isOptionalId = (v: unknown) => v === undefined || isId(v);

/** A usage record the schema surely accepts (it must never pass one the schema refuses: record-bounds.test.ts). */
export function plainUsage(r: ExportOutcome['records'][number]): boolean {
  return (
    isOtlpId(r.id) &&
    isId(r.agentId) &&
    isId(r.model) &&
    isOptionalId(r.provider) &&
    isOptionalId(r.beadId) &&
    isCount(r.inputTokens, MAX_RECORD_TOKENS) &&
    isCount(r.outputTokens, MAX_RECORD_TOKENS) &&
    isCount(r.reasoningTokens, MAX_RECORD_TOKENS) &&
    isCount(r.cacheReadTokens, MAX_RECORD_TOKENS) &&
    isCount(r.cacheWriteTokens, MAX_RECORD_TOKENS) &&
    isCount(r.costMicrodollars, MAX_RECORD_COST_MICRODOLLARS) &&
    isCount(r.at, MAX_EPOCH_MS) &&
    (r.mode === 'delta' || r.mode === 'cumulative')
  );
}

/** An activity record the schema surely accepts. */
export function plainActivity(r: ExportOutcome['activity'][number]): boolean {
  return isOtlpId(r.id) && isId(r.agentId) && isCount(r.value, MAX_ACTIVITY_VALUE) && isCount(r.at, MAX_EPOCH_MS);
}
