import { AppError } from '@gasgauge/core';
import { TRPCError } from '@trpc/server';
import { type IssueLike, issuePath, reportedIssue } from './validate.js';

/** tRPC errors back to the one AppError, so REST maps them through the same table as every route. */
export async function unwrap<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof TRPCError) {
      if (err.cause instanceof AppError) throw err.cause;
      const issues = (err.cause as { issues?: IssueLike[] } | undefined)?.issues;
      const issue = Array.isArray(issues) ? reportedIssue(issues) : undefined;
      if (err.code === 'BAD_REQUEST' && issue) {
        const path = issuePath(issue.path, 'input');
        throw new AppError('bad_request', `${path}: ${issue.message ?? 'invalid'}`, { path, cause: err });
      }
    }
    throw err;
  }
}
