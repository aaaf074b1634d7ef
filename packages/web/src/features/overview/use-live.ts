import { useEffect, useState } from 'react';
import { isUnauthorized, type Throughput, trpc } from '../../api/trpc.js';
import { redirectToLogin } from '../../lib/use-query.js';

export type LiveStatus = 'connecting' | 'live' | 'stale';

/** An idle town ticks once a minute; a stream silent for much longer than that is presumed dead. */
const SILENCE_MS = 150_000;
const RETRY_MS = 3000;

/**
 * The town's throughput as the server pushes it (after each tick, and within a second of an ingest).
 * When the stream drops, the status says stale (the numbers on screen are old) until it is back: the
 * browser's EventSource reconnects by itself after a dropped connection; after a failed one, or a
 * stream that went silent, this hook subscribes again.
 */
export function useLive(townId: string): {
  data: Throughput | undefined;
  status: LiveStatus;
  receivedAt: number | undefined;
  version: number;
} {
  const [state, setState] = useState<{
    data: Throughput | undefined;
    status: LiveStatus;
    receivedAt: number | undefined;
    version: number;
  }>({
    data: undefined,
    status: 'connecting',
    receivedAt: undefined,
    version: 0,
  });

  useEffect(() => {
    let sub: { unsubscribe(): void } | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    let closed = false;

    const stale = () => setState((s) => (s.status === 'stale' ? s : { ...s, status: 'stale' }));
    const resubscribe = () => {
      sub?.unsubscribe();
      clearTimeout(retry);
      if (!closed) retry = setTimeout(connect, RETRY_MS);
    };
    const armWatchdog = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        stale();
        resubscribe();
      }, SILENCE_MS);
    };
    function connect() {
      armWatchdog();
      sub = trpc.metrics.live.subscribe(
        { townId },
        {
          onData: (data) => {
            armWatchdog();
            setState((s) => ({ data, status: 'live', receivedAt: Date.now(), version: s.version + 1 }));
          },
          onConnectionStateChange: (c) => {
            if (c.state === 'connecting' && c.error) stale();
          },
          onError: (err) => {
            if (isUnauthorized(err)) return redirectToLogin();
            stale();
            resubscribe();
          },
          onComplete: () => {
            if (!closed) {
              stale();
              resubscribe();
            }
          },
        },
      );
    }
    connect();
    return () => {
      closed = true;
      clearTimeout(retry);
      clearTimeout(watchdog);
      sub?.unsubscribe();
    };
  }, [townId]);

  return state;
}
