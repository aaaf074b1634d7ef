import { useEffect, useState } from 'react';
import { isTownGone, isUnauthorized, type Throughput, trpc } from '../../api/trpc.js';
import { redirectToLogin } from '../../lib/use-query.js';
import { refreshTowns } from '../towns/use-towns.js';
import { keepLive } from './live-connection.js';

export type LiveStatus = 'connecting' | 'live' | 'stale' | 'gone';

/**
 * The town's throughput as the server pushes it (after each tick, and within a second of an ingest).
 * When the stream drops, the status says stale (the numbers on screen are old) until it is back; how
 * the subscription is kept open is `keepLive`'s.
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

  useEffect(
    () =>
      keepLive<Throughput>((observer) => trpc.metrics.live.subscribe({ townId }, observer), {
        data: (data) => setState((s) => ({ data, status: 'live', receivedAt: Date.now(), version: s.version + 1 })),
        stale: () => setState((s) => (s.status === 'stale' ? s : { ...s, status: 'stale' })),
        unauthorized: redirectToLogin,
        isUnauthorized,
        // The town is not the user's any more: the towns list asks again, and the gate says so.
        gone: () => {
          setState((s) => ({ ...s, status: 'gone' }));
          refreshTowns();
        },
        isGone: isTownGone,
        // Asked when the stream is silent: /healthz reads no town, so a quiet town's server answers at once.
        probe: (signal) => fetch('/healthz', { signal, cache: 'no-store' }).then((r) => r.ok),
      }),
    [townId],
  );

  return state;
}
