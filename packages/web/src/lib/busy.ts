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

/**
 * A request that got no answer from Gas Gauge: the connection failed (the server is down or restarting,
 * the network dropped) or a proxy in front of it answered 502, 503 or 504 with a page of its own. The tRPC
 * client's fetch throws it (api/trpc.ts); it reaches the caller as a TRPCClientError's cause.
 */
export class NoAnswerError extends Error {}

/** Whether a call failed with no answer from the server (`NoAnswerError`), which asking again later may fix. */
export function isNoAnswer(err: unknown): boolean {
  return err instanceof TRPCClientError && err.cause instanceof NoAnswerError;
}

/** The wait before asking again after the `attempt`-th read in a row with no answer (0 first): 1 s, 2 s, 4 s, … at most 15 s. */
export function noAnswerRetrySeconds(attempt: number): number {
  return Math.min(15, 2 ** Math.min(attempt, 4));
}

/** What the page shows while it waits to ask again, instead of the browser's "Failed to fetch". */
export function noAnswerError(err: unknown, seconds: number): Error {
  const why = err instanceof TRPCClientError && err.cause instanceof Error ? err.cause.message : 'no answer from the server';
  return new BusyError(`${why}, retrying in ${seconds} s`);
}

/** What the page shows meanwhile, instead of the server's message. */
export function busyError(seconds: number): Error {
  return new BusyError(`the server is busy, retrying in ${seconds} s`);
}

/** The banner's tone for a failed load: amber while the server is busy (it retries), red otherwise. */
export function loadErrorTone(error: Error): 'warn' | 'danger' {
  return error instanceof BusyError ? 'warn' : 'danger';
}
