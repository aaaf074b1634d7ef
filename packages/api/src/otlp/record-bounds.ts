import type { z } from 'zod';
import { issuePath, reportedIssue } from '../http/validate.js';
import { otlpActivityRecord, otlpUsageRecord } from '../ingest/schemas.js';
import type { ExportOutcome } from './metrics.js';

/**
 * The records an export built, held to the bounds of a posted usage record (ingest/schemas.ts) before any is
 * written: each one past them is rejected alone (as an hour bound rejects it), the rest kept. Every record the
 * receiver builds passes here (routes.ts), so a bound the mapping forgets to check by hand is still kept: an
 * agent or model of an empty attribute, or a provider of a 1,024-character one, had been stored.
 */
export function withinRecordBounds(outcome: ExportOutcome): ExportOutcome {
  const out: ExportOutcome = { ...outcome, records: [], activity: [] };
  const keep = <R>(schema: z.ZodType, records: readonly R[], into: R[]) => {
    for (const record of records) {
      const result = schema.safeParse(record);
      if (result.success) {
        into.push(record);
        continue;
      }
      const issue = reportedIssue(result.error.issues);
      out.rejected++;
      out.reason ??= `${issuePath(issue?.path, 'record')}: ${issue?.message ?? 'invalid'}`;
    }
  };
  keep(otlpUsageRecord, outcome.records, out.records);
  keep(otlpActivityRecord, outcome.activity, out.activity);
  return out;
}
