import { useCallback, useEffect, useRef, useState } from 'react';
import { isUnauthorized } from '../api/trpc.js';
import { navigate } from '../app/router.js';

export interface QueryState<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  /** Fetch again now (the previous answer stays on screen until the new one arrives). */
  refetch(): void;
}

/**
 * A fetch keyed by a string: a new key aborts the request in flight and starts another, and an answer
 * that arrives after a newer request started is dropped, so a slow old range never overwrites a new one.
 * A 401 sends the browser to /login (the session expired or was signed out).
 */
export function useQuery<T>(
  key: string | null,
  fetcher: (signal: AbortSignal) => Promise<T>,
  opts: { refetchMs?: number } = {},
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

  const run = useCallback((k: string) => {
    abortRef.current?.abort();
    const ctrl = new AbortController();
    abortRef.current = ctrl;
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    fetcherRef.current(ctrl.signal).then(
      (data) => {
        if (mine === seq.current) setState({ key: k, data, error: undefined, loading: false });
      },
      (err: unknown) => {
        if (mine !== seq.current || ctrl.signal.aborted) return;
        if (isUnauthorized(err)) return redirectToLogin();
        setState((s) => ({ ...s, error: err instanceof Error ? err : new Error(String(err)), loading: false }));
      },
    );
  }, []);

  useEffect(() => {
    if (key === null) return;
    run(key);
    return () => abortRef.current?.abort();
  }, [key, run]);

  const { refetchMs } = opts;
  useEffect(() => {
    if (key === null || !refetchMs) return;
    const timer = setInterval(() => run(key), refetchMs);
    return () => clearInterval(timer);
  }, [key, refetchMs, run]);

  const refetch = useCallback(() => {
    if (key !== null) run(key);
  }, [key, run]);
  return { data: state.data, error: state.error, loading: state.loading, refetch };
}

export function redirectToLogin(): void {
  const here = window.location.pathname + window.location.search;
  navigate(here.startsWith('/login') ? here : `/login?next=${encodeURIComponent(here)}`, { replace: true });
}
