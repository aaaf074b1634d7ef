import { AppError, type Control, Sessions, type User } from '@gasgauge/core';
import type { ApiDeps } from '../deps.js';
import { bearer } from './bearer.js';
import { userOfSession } from './session.js';
import { hashToken, USER_TOKEN_PREFIX } from './user-token.js';

/** Read routes accept user API tokens only; an ingest JWT here is a 401, never a read. */
export async function authenticateUser(control: Control, authorization: string | undefined | null): Promise<User> {
  const token = bearer(authorization);
  if (!token.startsWith(USER_TOKEN_PREFIX)) throw new AppError('unauthorized', 'a user API token (ggu_…) is required here');
  const user = control.userByTokenHash(await hashToken(token));
  if (!user) throw new AppError('unauthorized', 'unknown API token');
  return user;
}

/**
 * Scripts send `Authorization: Bearer ggu_…`; the browser sends its session cookie. A request with an
 * Authorization header is judged by it alone, so a bad header never falls back to the cookie.
 */
export async function authenticateRequest(
  deps: Pick<ApiDeps, 'control' | 'clock'>,
  authorization: string | undefined | null,
  sessionToken: string | undefined,
): Promise<User> {
  if (!authorization && sessionToken)
    return userOfSession(deps.control, new Sessions(deps.control.sql, deps.clock), sessionToken);
  return authenticateUser(deps.control, authorization);
}
