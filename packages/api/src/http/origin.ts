import { AppError } from '@gasgauge/core';
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { SESSION_COOKIE } from '../auth/session.js';

/**
 * CSRF defence for every state-changing request (tRPC mutations, sign-in and sign-out posts): a
 * browser always sends `Origin` on a POST, so a POST from another site shows its own origin and is
 * refused. Scripts (curl, the reporter) send no Origin and authenticate with a bearer token, which a
 * browser never attaches cross-site; a cookie-authenticated POST without Origin is refused.
 *
 * `requireOrigin`: the sign-in routes create a session from a form, so they demand a matching Origin
 * even without a cookie (no login CSRF). `publicOrigin` (`--public-url`): the origin browsers see
 * behind a reverse proxy that does not pass the Host on.
 */
export function sameOrigin(opts: { requireOrigin: boolean; publicOrigin?: string | undefined }): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next();
    const origin = c.req.header('origin');
    if (origin === undefined) {
      const cookieAuth = !c.req.header('authorization') && getCookie(c, SESSION_COOKIE) !== undefined;
      if (opts.requireOrigin || cookieAuth)
        throw new AppError('forbidden', 'this request needs an Origin header', { path: 'origin' });
      return next();
    }
    if (origin !== opts.publicOrigin && !isSameOrigin(origin, c.req.header('x-forwarded-host') ?? c.req.header('host'))) {
      throw new AppError('forbidden', 'cross-origin request refused', { path: 'origin' });
    }
    return next();
  };
}

/**
 * Compares hosts (with port) only: behind a TLS-terminating proxy the server sees http while the
 * browser's Origin says https. A forwarded host can be trusted here because a cross-site page cannot
 * set that header on a browser request.
 */
export function isSameOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === host.toLowerCase();
  } catch {
    return false; // "null" (sandboxed frames, privacy redirects) or garbage
  }
}
