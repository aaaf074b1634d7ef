/** An idle town ticks once a minute; a stream silent for much longer than that is presumed dead. */
export const SILENCE_MS = 150_000;
/** The wait before subscribing again after a failed stream, or one that ended as soon as it opened. */
export const RETRY_MS = 3000;

/** What a tRPC subscription tells its observer (the part of `trpc.metrics.live.subscribe` used here). */
export interface LiveObserver<T> {
  onData(value: T): void;
  onError(err: unknown): void;
  onComplete(): void;
  onConnectionStateChange(state: { state: string; error: unknown }): void;
}

export interface LiveHandlers<T> {
  data(value: T): void;
  /** The stream dropped: the numbers on screen are old until the next data. */
  stale(): void;
  /** The credential is gone (signed out, expired); no further attempt is made. */
  unauthorized(): void;
  isUnauthorized(err: unknown): boolean;
  /** The town is not the user's any more (refused on its id); no further attempt is made. */
  gone?(): void;
  isGone?(err: unknown): boolean;
}

/**
 * Keeps one live subscription open until the returned function is called. The browser's EventSource
 * reconnects by itself after a dropped connection; after a failed stream, or one gone silent, this
 * subscribes again after RETRY_MS and says stale meanwhile. A stream the server ends after a while
 * (each lasts at most LIVE_STREAM_MAX_MS, 10 minutes, docs/api.md) is replaced at once and the status
 * does not change: the next stream opens with the numbers of now. One that ends as soon as it opened
 * (a server shutting down) waits RETRY_MS like a failure, so the page never reconnects in a loop.
 */
export function keepLive<T>(
  subscribe: (observer: LiveObserver<T>) => { unsubscribe(): void },
  on: LiveHandlers<T>,
  now: () => number = () => Date.now(),
): () => void {
  let sub: { unsubscribe(): void } | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let watchdog: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const resubscribe = (afterMs: number) => {
    sub?.unsubscribe();
    clearTimeout(retry);
    if (closed) return;
    if (afterMs === 0) connect();
    else retry = setTimeout(connect, afterMs);
  };
  const armWatchdog = () => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => {
      on.stale();
      resubscribe(RETRY_MS);
    }, SILENCE_MS);
  };
  function connect() {
    const openedAt = now();
    armWatchdog();
    sub = subscribe({
      onData: (value) => {
        armWatchdog();
        on.data(value);
      },
      onConnectionStateChange: (c) => {
        if (c.state === 'connecting' && c.error) on.stale();
      },
      onError: (err) => {
        if (on.isUnauthorized(err)) {
          closed = true;
          clearTimeout(watchdog);
          return on.unauthorized();
        }
        if (on.isGone?.(err)) {
          closed = true;
          clearTimeout(watchdog);
          return on.gone?.();
        }
        on.stale();
        resubscribe(RETRY_MS);
      },
      onComplete: () => {
        if (closed) return;
        if (now() - openedAt >= RETRY_MS) return resubscribe(0);
        on.stale();
        resubscribe(RETRY_MS);
      },
    });
  }
  connect();
  return () => {
    closed = true;
    clearTimeout(retry);
    clearTimeout(watchdog);
    sub?.unsubscribe();
  };
}
