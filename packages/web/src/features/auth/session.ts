import { useEffect, useState } from 'react';
import { showInvisibleDeep } from '../../lib/invisible.js';

export interface SessionUser {
  id: string;
  name: string;
  isAdmin: boolean;
}

export type Session =
  | { status: 'loading' }
  | { status: 'signedOut' }
  | { status: 'signedIn'; user: SessionUser }
  /** The server did not answer, or answered with anything but 200 or 401 (a restart, a proxy's 502): asking again. */
  | { status: 'unreachable'; reason: string };

/** Retries of /auth/me while the server is unreachable: 1 s, 2 s, 4 s, … at most 15 s apart. */
export function retryDelayMs(attempt: number): number {
  return Math.min(15_000, 1000 * 2 ** Math.min(attempt, 4));
}

/** One /auth/me. Only a 401 means signed out; any other failure says the server is unreachable. */
export async function checkSession(signal: AbortSignal, fetcher: typeof fetch = fetch): Promise<Session> {
  let res: Response;
  try {
    res = await fetcher('/auth/me', { signal, headers: { accept: 'application/json' } });
  } catch (err) {
    if (signal.aborted) throw err;
    return { status: 'unreachable', reason: 'no answer from the server' };
  }
  if (res.status === 401) return { status: 'signedOut' };
  if (!res.ok) return { status: 'unreachable', reason: `the server answered ${res.status}` };
  try {
    const { user } = (await res.json()) as { user?: SessionUser };
    if (user && typeof user.id === 'string' && typeof user.name === 'string')
      return { status: 'signedIn', user: showInvisibleDeep(user) };
  } catch (err) {
    if (signal.aborted) throw err;
  }
  return { status: 'unreachable', reason: 'the server sent an unexpected answer' };
}

/**
 * Who is signed in, from the HttpOnly cookie the page cannot read: the server answers /auth/me. While
 * the server cannot be reached (it is restarting, say) the session is `unreachable` and asked again,
 * with backoff, rather than taken for signed out.
 */
export function useSession(enabled: boolean): Session {
  const [session, setSession] = useState<Session>({ status: 'loading' });
  useEffect(() => {
    if (!enabled) return;
    const ctrl = new AbortController();
    let retry: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    const check = () => {
      checkSession(ctrl.signal).then(
        (next) => {
          if (ctrl.signal.aborted) return;
          setSession(next);
          if (next.status === 'unreachable') retry = setTimeout(check, retryDelayMs(attempt++));
        },
        () => {}, // aborted: the component is gone
      );
    };
    check();
    return () => {
      ctrl.abort();
      clearTimeout(retry);
    };
  }, [enabled]);
  return session;
}

/** The /login page's error codes (set by the server's redirects) in words. */
export function loginError(code: string | null): string | null {
  if (code === 'invalid_token') return 'That token was not accepted. Paste a user API token (it starts with ggu_).';
  if (code === 'link_expired')
    return 'That login link has expired or was already used. Ask for a new one: gasgauge login-link --user NAME';
  if (code === 'busy') return 'The server is busy checking sign-ins just now. Try again in a few seconds.';
  return null;
}
