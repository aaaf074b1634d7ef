import { useEffect, useState } from 'react';

export interface SessionUser {
  id: string;
  name: string;
  isAdmin: boolean;
}

export type Session = { status: 'loading' } | { status: 'signedOut' } | { status: 'signedIn'; user: SessionUser };

/** Who is signed in, from the HttpOnly cookie the page cannot read: the server answers /auth/me. */
export function useSession(enabled: boolean): Session {
  const [session, setSession] = useState<Session>({ status: 'loading' });
  useEffect(() => {
    if (!enabled) return;
    const ctrl = new AbortController();
    fetch('/auth/me', { signal: ctrl.signal, headers: { accept: 'application/json' } })
      .then(async (res) => {
        if (!res.ok) return setSession({ status: 'signedOut' });
        const { user } = (await res.json()) as { user: SessionUser };
        setSession({ status: 'signedIn', user });
      })
      .catch(() => {
        if (!ctrl.signal.aborted) setSession({ status: 'signedOut' });
      });
    return () => ctrl.abort();
  }, [enabled]);
  return session;
}

/** The /login page's error codes (set by the server's redirects) in words. */
export function loginError(code: string | null): string | null {
  if (code === 'invalid_token') return 'That token was not accepted. Paste a user API token (it starts with ggu_).';
  if (code === 'link_expired')
    return 'That login link has expired or was already used. Ask for a new one: gasgauge login-link --user NAME';
  return null;
}
