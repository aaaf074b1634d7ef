import { TRPCClientError } from '@trpc/client';

/**
 * A read the server shed (429: this user's read budget is spent; 503: the town is catching up): how
 * many seconds it asked us to wait (the call's own `retryAfterSeconds`; a batch shares one header),
 * else undefined for an error that asking again will not fix.
 */
export function busyRetrySeconds(err: unknown): number | undefined {
  if (!(err instanceof TRPCClientError)) return undefined;
  const data = err.data as { retryAfterSeconds?: unknown } | undefined;
  const seconds = data?.retryAfterSeconds;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

/** A read the server shed, which the page asks again by itself: shown as a warning, not a failure. */
export class BusyError extends Error {}

/** What the page shows meanwhile, instead of the server's message. */
export function busyError(seconds: number): Error {
  return new BusyError(`the server is busy, retrying in ${seconds} s`);
}

/** The banner's tone for a failed load: amber while the server is busy (it retries), red otherwise. */
export function loadErrorTone(error: Error): 'warn' | 'danger' {
  return error instanceof BusyError ? 'warn' : 'danger';
}
