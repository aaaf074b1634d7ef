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

/** Validates a whole input before anything is written; the first issue becomes a 400 naming its field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issuePath(issue?.path, 'body');
  throw new AppError('bad_request', `${path}: ${issue?.message ?? 'invalid'}`, { path });
}
