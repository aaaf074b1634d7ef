import { useCallback, useEffect, useRef, useState } from 'react';
import { isTownGone, isUnauthorized } from '../api/trpc.js';
import { navigate } from '../app/router.js';
import { busyError, busyRetrySeconds, isNoAnswer, noAnswerError, noAnswerRetrySeconds } from './busy.js';

let townGone: (() => void) | undefined;

/** Who is told when a read is refused on its town (`isTownGone`): the towns list, which asks again (towns/use-towns.ts). */
export function whenTownGone(listener: () => void): void {
  townGone = listener;
}

/** A request in flight this long is presumed hung: a refresh then replaces it instead of waiting for it. */
const HUNG_MS = 30_000;

export interface QueryState<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  /** Fetch again (the previous answer stays on screen until the new one arrives); see `refresh`. */
  refetch(): void;
}

export interface QueryOptions {
  /** Fetch again this often, as a refresh. */
  refetchMs?: number;
  /**
   * A value whose change fetches again, as a refresh (a live push's counter): the same question asked
   * again, so it does not abort the request in flight. A refresh while one is in flight waits for it
   * and then asks once more, however many came meanwhile.
   */
  refresh?: string | number;
}

/**
 * A fetch keyed by a string: a new key aborts the request in flight and starts another, and an answer
 * that arrives after a newer request started is dropped, so a slow old range never overwrites a new one.
 * Refreshes (`refresh`, `refetchMs`, `refetch`) do not abort (unless the request in flight looks
 * hung, HUNG_MS): aborting on every live push restarted a slow request again and again, so a new page
 * of a busy town took seconds to show.
 * A 401 sends the browser to /login (the session expired or was signed out). A read the server shed
 * (429: the user's read budget is spent) says "busy, retrying" and asks again after its Retry-After; one
 * that got no answer (the server down or restarting) says so and asks again after 1, 2, 4, … 15 s, so a
 * page left open through a restart comes back by itself.
 */
export function useQuery<T>(
  key: string | null,
  fetcher: (signal: AbortSignal) => Promise<T>,
  opts: QueryOptions = {},
): QueryState<T> {
  const [state, setState] = useState<{ key: string | null; data: T | undefined; error: Error | undefined; loading: boolean }>({
    key: null,
    data: undefined,
    error: undefined,
    loading: key !== null,
  });
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  const seq = useRef(0);
  const abortRef = useRef<AbortController | null>(null);
  /** When the request in flight started (performance.now()), or null when none is. */
  const busySince = useRef<number | null>(null);
  /** A refresh came while busy: ask again for this key once the request in flight settles. */
  const again = useRef<string | null>(null);
  /** The retry of a shed read, or of one that got no answer, pending. */
  const retryTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  /** Reads in a row that got no answer (the server down or restarting): the next retry waits longer. */
  const noAnswers = useRef(0);

  const run = useCallback(function start(k: string, mode: 'new' | 'refresh') {
    const since = busySince.current;
    if (mode === 'refresh' && since !== null && performance.now() - since < HUNG_MS) {
      again.current = k;
      return;
    }
    abortRef.current?.abort();
    again.current = null;
    clearTimeout(retryTimer.current);
    const ctrl = new AbortController();
    abortRef.current = ctrl;
    const mine = ++seq.current;
    busySince.current = performance.now();
    const settled = () => {
      busySince.current = null;
      const next = again.current;
      if (next !== null) start(next, 'refresh');
    };
    setState((s) => ({ ...s, loading: true }));
    fetcherRef.current(ctrl.signal).then(
      (data) => {
        if (mine !== seq.current) return;
        noAnswers.current = 0;
        setState({ key: k, data, error: undefined, loading: false });
        settled();
      },
      (err: unknown) => {
        if (mine !== seq.current || ctrl.signal.aborted) return;
        if (isUnauthorized(err)) return redirectToLogin();
        if (isTownGone(err)) townGone?.();
        const shed = busyRetrySeconds(err);
        const noAnswer = shed === undefined && isNoAnswer(err) ? noAnswerRetrySeconds(noAnswers.current++) : undefined;
        const error =
          shed !== undefined
            ? busyError(shed)
            : noAnswer !== undefined
              ? noAnswerError(err, noAnswer)
              : err instanceof Error
                ? err
                : new Error(String(err));
        setState((s) => ({ ...s, error, loading: false }));
        settled();
        const wait = shed ?? noAnswer;
        if (wait !== undefined && busySince.current === null)
          retryTimer.current = setTimeout(() => start(k, 'refresh'), wait * 1000);
      },
    );
  }, []);

  useEffect(() => {
    if (key === null) return;
    run(key, 'new');
    return () => {
      abortRef.current?.abort();
      clearTimeout(retryTimer.current);
      busySince.current = null;
      again.current = null;
    };
  }, [key, run]);

  const { refetchMs, refresh } = opts;
  const refreshSeen = useRef({ key, refresh });
  useEffect(() => {
    const seen = refreshSeen.current;
    if (Object.is(seen.refresh, refresh) && seen.key === key) return;
    refreshSeen.current = { key, refresh };
    // With a new key the request just started already asks with everything new.
    if (key !== null && seen.key === key) run(key, 'refresh');
  }, [key, refresh, run]);

  useEffect(() => {
    if (key === null || !refetchMs) return;
    const timer = setInterval(() => run(key, 'refresh'), refetchMs);
    return () => clearInterval(timer);
  }, [key, refetchMs, run]);

  const refetch = useCallback(() => {
    if (key !== null) run(key, 'refresh');
  }, [key, run]);
  return { data: state.data, error: state.error, loading: state.loading, refetch };
}

export function redirectToLogin(): void {
  const here = window.location.pathname + window.location.search;
  navigate(here.startsWith('/login') ? here : `/login?next=${encodeURIComponent(here)}`, { replace: true });
}
