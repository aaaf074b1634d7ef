import { AppError, type ErrorCode } from '@gasgauge/core';

/**
 * A result across Durable Object RPC. A thrown error arrives as a plain Error with its message only,
 * so an `AppError` (the 4xx the client must see, with its field) travels as data and is rebuilt.
 */
export type Remote<T> = { ok: T } | { error: { code: ErrorCode; message: string; path: string | null } };

export async function toRemote<T>(fn: () => T | Promise<T>): Promise<Remote<T>> {
  try {
    return { ok: await fn() };
  } catch (err) {
    if (err instanceof AppError) return { error: { code: err.code, message: err.message, path: err.path ?? null } };
    throw err;
  }
}

export function fromRemote<T>(r: Remote<T>): T {
  if ('ok' in r) return r.ok;
  throw new AppError(r.error.code, r.error.message, r.error.path === null ? undefined : { path: r.error.path });
}
