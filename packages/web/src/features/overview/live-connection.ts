/** An idle town ticks once a minute; a stream silent for much longer than that is presumed dead. */
export const SILENCE_MS = 150_000;
/** The wait before subscribing again after a failed stream, or one that ended as soon as it opened. */
export const RETRY_MS = 3000;
/**
 * A stream silent this long asks the server whether it answers at all (`probe`): a server that hangs (a
 * stopped process, a connection a network drop left open) keeps the stream open and says nothing, which
 * looked "Live" until SILENCE_MS. A quiet town's server answers, and the stream stays, unless it has not
 * sent its first push yet: the server sends one as soon as a stream opens, so a new (or reconnected)
 * stream that is still silent is stuck (a request sent while the server hung), and is replaced at once.
 */
export const PROBE_AFTER_MS = 15_000;
/** A probe not answered within this is no answer. */
export const PROBE_TIMEOUT_MS = 10_000;

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
  /** Whether the server answers now (a cheap request; false on a failure); aborted after PROBE_TIMEOUT_MS. */
  probe?(signal: AbortSignal): Promise<boolean>;
  /** The town is not the user's any more (refused on its id); no further attempt is made. */
  gone?(): void;
  isGone?(err: unknown): boolean;
}

/**
 * Keeps one live subscription open until the returned function is called. The browser's EventSource
 * reconnects by itself after a dropped connection; after a failed stream, or one gone silent (no data for
 * SILENCE_MS, or for PROBE_AFTER_MS and the server does not answer a probe), this subscribes again after
 * RETRY_MS and says stale meanwhile (at once if the server answers but the stream never sent its first push). A stream the server ends after a while
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
  let prober: ReturnType<typeof setTimeout> | undefined;
  let probing: AbortController | undefined;
  let closed = false;
  /** No data since the stream opened or the browser reconnected it: its first push is still to come. */
  let awaitingFirst = true;

  const stopProbe = () => {
    clearTimeout(prober);
    probing?.abort();
    probing = undefined;
  };
  /** After PROBE_AFTER_MS without data, and again after each answered probe, until data comes. */
  const armProbe = () => {
    stopProbe();
    const { probe } = on;
    if (!probe || closed) return;
    prober = setTimeout(() => {
      const ctrl = new AbortController();
      probing = ctrl;
      const timeout = setTimeout(() => ctrl.abort(), PROBE_TIMEOUT_MS);
      void probe(ctrl.signal)
        .catch(() => false)
        .then((answered) => {
          clearTimeout(timeout);
          if (probing !== ctrl || closed) return;
          probing = undefined;
          const up = answered && !ctrl.signal.aborted;
          if (up && !awaitingFirst) return armProbe();
          on.stale();
          resubscribe(up ? 0 : RETRY_MS);
        });
    }, PROBE_AFTER_MS);
  };
  const giveUp = (tell: () => void) => {
    closed = true;
    clearTimeout(watchdog);
    stopProbe();
    tell();
  };
  const resubscribe = (afterMs: number) => {
    stopProbe();
    sub?.unsubscribe();
    clearTimeout(retry);
    if (closed) return;
    if (afterMs === 0) connect();
    else retry = setTimeout(connect, afterMs);
  };
  const armWatchdog = () => {
    armProbe();
    clearTimeout(watchdog);
    watchdog = setTimeout(() => {
      on.stale();
      resubscribe(RETRY_MS);
    }, SILENCE_MS);
  };
  function connect() {
    const openedAt = now();
    awaitingFirst = true;
    armWatchdog();
    sub = subscribe({
      onData: (value) => {
        awaitingFirst = false;
        armWatchdog();
        on.data(value);
      },
      onConnectionStateChange: (c) => {
        if (c.state !== 'connecting' || !c.error) return;
        // The browser reconnects by itself: the new connection's first push is still to come.
        awaitingFirst = true;
        on.stale();
      },
      onError: (err) => {
        // No further attempt: the credential is gone, or the town is not the user's any more.
        if (on.isUnauthorized(err)) return giveUp(() => on.unauthorized());
        if (on.isGone?.(err)) return giveUp(() => on.gone?.());
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
    stopProbe();
    sub?.unsubscribe();
  };
}
