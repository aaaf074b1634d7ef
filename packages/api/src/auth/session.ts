import { AppError, type Control, type Sessions, type User } from '@gasgauge/core';
import { base64url, hashToken } from './user-token.js';

/** The browser's session cookie: HttpOnly, so the page's JavaScript never holds a credential. */
export const SESSION_COOKIE = 'gg_session';
const SESSION_PREFIX = 'ggs_';
const LINK_PREFIX = 'ggl_';

const secret = (prefix: string) => prefix + base64url(crypto.getRandomValues(new Uint8Array(32)));

/** A new session for a user: the token goes into the cookie, only its hash into the database. */
export async function startSession(sessions: Sessions, userId: string): Promise<{ token: string; expiresAt: number }> {
  const token = secret(SESSION_PREFIX);
  const { expiresAt } = sessions.create(await hashToken(token), userId);
  return { token, expiresAt };
}

/** The user of a session cookie, or a 401 (unknown, expired or signed out). */
export async function userOfSession(control: Control, sessions: Sessions, token: string): Promise<User> {
  const userId = token.startsWith(SESSION_PREFIX) ? sessions.userId(await hashToken(token)) : undefined;
  const user = userId === undefined ? undefined : control.userById(userId);
  if (!user) throw new AppError('unauthorized', 'session expired or signed out; sign in again', { path: 'session' });
  return user;
}

/**
 * A one-time login link's path (`/auth/link?code=…`) for a user: it signs in once, within minutes.
 * The CLI prints it (`gasgauge login-link`) and the demo prints one on start.
 */
export async function createLoginLink(
  sessions: Sessions,
  userId: string,
  nextPath?: string,
): Promise<{ path: string; expiresAt: number }> {
  const code = secret(LINK_PREFIX);
  const { expiresAt } = sessions.createLoginLink(await hashToken(code), userId, safeNextPath(nextPath));
  return { path: `/auth/link?code=${encodeURIComponent(code)}`, expiresAt };
}

/** A same-origin path to go to after signing in, or null: never another origin (`//evil`, `/\evil`, `https:`). */
export function safeNextPath(next: unknown): string | null {
  if (typeof next !== 'string' || next.length > 512) return null;
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return null;
  for (const ch of next) if (ch === '\\' || ch.charCodeAt(0) < 0x20) return null;
  return next;
}
