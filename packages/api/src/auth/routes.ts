import { AppError } from '@gasgauge/core';
import { type Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { ApiDeps } from '../deps.js';
import { BodyBudget, bufferBody } from '../http/body.js';
import { sameOrigin } from '../http/origin.js';
import { userPrincipal } from '../ports/read-budget.js';
import { lookupHash } from './credential-vouch.js';
import { linkPage } from './link-page.js';
import { SESSION_COOKIE, safeNextPath, sessionTokenHash, startSession } from './session.js';
import { authenticateRequest } from './user-auth.js';
import { base64url, USER_TOKEN_PREFIX } from './user-token.js';

/**
 * Browser sign-in. The /login form and the one-time link post here; the server sets an HttpOnly
 * cookie, so an API token typed into the form never reaches the page's JavaScript.
 *
 *   POST /auth/login   form {token, next?}   → 303 next (or /login?error=invalid_token)
 *   GET  /auth/link?code=…                   → a page that posts the code (never signs in on GET)
 *   POST /auth/link    form {code}           → 303 the link's next path (or /login?error=link_expired)
 * Each of them and logout go to /login?error=busy when the server turns the lookup away for now (a 429 elsewhere),
 * or, for a sign-in or a link, when the user has spent their change budget (ApiDeps.changeBudget): each is a change of
 * the user it is for, counted only once the credential or code is found to be theirs, so made-up input spends
 * nobody's budget (and writes nothing). A sign-out is never refused by the budget (see logout).
 *   POST /auth/logout                        → 303 /login
 *   GET  /auth/me                            → {user: {id, name, isAdmin}} or 401
 */
export function authRoutes(deps: ApiDeps): Hono {
  // Every route here but /auth/me makes a session or ends one: judged on the store's own answers (ApiDeps.freshControl).
  const control = deps.freshControl ?? deps.control;
  const app = new Hono();
  app.use(
    '/auth/*',
    sameOrigin({ requireOrigin: true, publicOrigin: deps.publicOrigin }),
    bufferBody(deps.readBody, MAX_AUTH_FORM_BYTES, authFormBudget),
  );

  /** Starts the session; `counted` when the caller has already spent the user's change for it (a link's redemption). */
  const signIn = async (c: Context, userId: string, next: string | null, counted = false) => {
    if (!counted) deps.changeBudget?.spend(userPrincipal(userId));
    const { token, expiresAt } = await startSession(control, userId, deps.vouch);
    setCookie(c, SESSION_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'Strict',
      secure: isHttps(c, deps.publicOrigin),
      maxAge: Math.ceil((expiresAt - deps.clock()) / 1000),
    });
    return c.redirect(next ?? '/', 303);
  };

  const toLogin = (c: Context, error: string, next: string | null) =>
    c.redirect(`/login?error=${error}${next ? `&next=${encodeURIComponent(next)}` : ''}`, 303);

  /**
   * A sign-in the server turned away for now (a Worker isolate's bound on lookups of credentials it has not seen:
   * unknown-credentials.ts) goes back to the login page, which says so, rather than to a page of JSON.
   */
  const unlessBusy = async (c: Context, next: string | null, answer: () => Promise<Response>): Promise<Response> => {
    try {
      return await answer();
    } catch (err) {
      if (err instanceof AppError && err.code === 'too_many_requests') return toLogin(c, 'busy', next);
      throw err;
    }
  };

  app.post('/auth/login', async (c) => {
    const form = await readForm(c);
    const next = safeNextPath(form.get('next'));
    const token = form.get('token')?.trim() ?? '';
    return unlessBusy(c, next, async () => {
      const user = token.startsWith(USER_TOKEN_PREFIX)
        ? await control.userByTokenHash(await lookupHash(deps.vouch, token))
        : undefined;
      if (!user) return toLogin(c, 'invalid_token', next);
      return signIn(c, user.id, next);
    });
  });

  app.get('/auth/link', (c) =>
    unlessBusy(c, null, async () => {
      const code = c.req.query('code') ?? '';
      if (!(await control.peekLoginLink(await lookupHash(deps.vouch, code)))) return toLogin(c, 'link_expired', null);
      const nonce = base64url(crypto.getRandomValues(new Uint8Array(16)));
      c.header(
        'Content-Security-Policy',
        `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; form-action 'self'`,
      );
      c.header('Cache-Control', 'no-store');
      // The POST must carry our Origin: "no-referrer" would make the browser send Origin: null.
      c.header('Referrer-Policy', 'same-origin');
      return c.html(linkPage(code, nonce));
    }),
  );

  app.post('/auth/link', async (c) => {
    const codeHash = await lookupHash(deps.vouch, (await readForm(c)).get('code') ?? '');
    return unlessBusy(c, null, async () => {
      // Looked at first, so that a code that is no link changes nothing (a Worker isolate forgets what it remembers on a change).
      // Counted before it is used up: a redemption the budget refuses leaves the link for a retry.
      const peeked = await control.peekLoginLink(codeHash);
      if (peeked) deps.changeBudget?.spend(userPrincipal(peeked.userId));
      const link = peeked && (await control.consumeLoginLink(codeHash));
      if (!link) return toLogin(c, 'link_expired', null);
      return signIn(c, link.userId, safeNextPath(link.nextPath), true);
    });
  });

  app.post('/auth/logout', async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    const tokenHash = token === undefined ? undefined : await sessionTokenHash(token, deps.vouch);
    // Turned away for now, the session is not ended and the cookie stays (the user signs out again), as for sign-in.
    return unlessBusy(c, null, async () => {
      // Only a session there is: signing out of none changes nothing (see /auth/link).
      // Never refused by the change budget: ending a session only takes access away, and each session ended was
      // begun by a sign-in, which is counted, so sign-outs cannot outrun the budget.
      if (tokenHash !== undefined && (await control.sessionUserId(tokenHash)) !== undefined)
        await control.revokeSession(tokenHash);
      deleteCookie(c, SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'Strict', secure: isHttps(c, deps.publicOrigin) });
      return c.redirect('/login', 303);
    });
  });

  app.get('/auth/me', async (c) => {
    const user = await authenticateRequest(deps, c.req.header('authorization'), getCookie(c, SESSION_COOKIE));
    c.header('Cache-Control', 'no-store');
    return c.json({ user: { id: user.id, name: user.name, isAdmin: user.isAdmin } });
  });

  return app;
}

/**
 * The /auth forms hold a token, a login code and a path to go to next: a few hundred bytes. They are read
 * before any credential, so they are bounded far below the API's 1 MiB: parsing 1 MiB of `a=b&…` took
 * 400 ms of the event loop, for anyone who sends it.
 */
export const MAX_AUTH_FORM_BYTES = 16 * 1024;

/**
 * The forms' own share of bodies in flight (past it, 503): anyone may post one, so slow posters must
 * not fill the process's budget, which reporters' ingest needs. 512 forms at their largest.
 */
export const authFormBudget = new BodyBudget(512 * MAX_AUTH_FORM_BYTES);

/**
 * The form a browser posts (`application/x-www-form-urlencoded`, what an HTML form sends without
 * `enctype`). Anything else is a 400 naming `content-type`: a multipart body the platform's FormData
 * parser could not read was an internal error (500).
 */
async function readForm(c: Context): Promise<URLSearchParams> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded')
    throw new AppError('bad_request', 'Content-Type must be application/x-www-form-urlencoded', { path: 'content-type' });
  return new URLSearchParams(await c.req.text());
}

/** Secure cookies behind https: a public URL that is https, or a TLS-terminating proxy that says so. */
function isHttps(c: Context, publicOrigin: string | undefined): boolean {
  return (
    publicOrigin?.startsWith('https:') === true ||
    new URL(c.req.url).protocol === 'https:' ||
    c.req.header('x-forwarded-proto') === 'https'
  );
}
