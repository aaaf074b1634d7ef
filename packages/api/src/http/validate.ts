import { AppError } from '@gasgauge/core';
import type { z } from 'zod';

/** `records[3].inputTokens` from zod's path array. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`;
  return out;
}

/** The field a zod issue names; an issue with the whole input (wrong type, unknown top-level key) names `root`. */
export function issuePath(path: readonly PropertyKey[] | undefined, root: string): string {
  return formatPath(path ?? []) || root;
}

/** What a zod issue may carry, as the three places that report one see it (a zod error, or tRPC's cause). */
export interface IssueLike {
  path?: readonly PropertyKey[] | undefined;
  message?: string | undefined;
  code?: string | undefined;
  origin?: string | undefined;
  maximum?: unknown;
  minimum?: unknown;
}

/**
 * The issue a 400 reports: the first, unless it is zod's implied safe-integer bound (`.int()` refuses
 * past ±2^53 − 1 and says so first) and the same field has another issue, the schema's own bound: a
 * token amount of 2^53 is "expected number to be <=1000000000", the limit docs/api.md states, not
 * "<=9007199254740991", which a client would read as the limit.
 */
export function reportedIssue<I extends IssueLike>(issues: readonly I[] | undefined): I | undefined {
  const first = issues?.[0];
  if (!issues || !first || !isSafeIntegerBound(first)) return first;
  const field = formatPath(first.path ?? []);
  return issues.find((i) => i !== first && formatPath(i.path ?? []) === field) ?? first;
}

function isSafeIntegerBound(issue: IssueLike): boolean {
  return (
    issue.origin === 'int' &&
    ((issue.code === 'too_big' && issue.maximum === Number.MAX_SAFE_INTEGER) ||
      (issue.code === 'too_small' && issue.minimum === Number.MIN_SAFE_INTEGER))
  );
}

/** Validates a whole input before anything is written; the first issue (reportedIssue) becomes a 400 naming its field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = reportedIssue(result.error.issues);
  const path = issuePath(issue?.path, 'body');
  throw new AppError('bad_request', `${path}: ${issue?.message ?? 'invalid'}`, { path });
}
