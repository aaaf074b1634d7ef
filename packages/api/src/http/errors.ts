import { AppError } from '@gasgauge/core';

export interface ErrorBody {
  error: { code: string; message: string; path?: string };
}

/** The one mapping of any thrown value to an HTTP status and a JSON error body. 5xx details stay in the log. */
export function toErrorResponse(err: unknown, log: (err: unknown) => void = console.error): { status: number; body: ErrorBody } {
  if (err instanceof AppError && err.expose) {
    const error: ErrorBody['error'] = { code: err.code, message: err.message };
    if (err.path !== undefined) error.path = err.path;
    return { status: err.status, body: { error } };
  }
  log(err);
  return { status: 500, body: { error: { code: 'internal', message: 'internal error' } } };
}
