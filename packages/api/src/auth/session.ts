import type { ControlStore } from '../ports/control.js';
import type { CredentialVouch } from '../ports/credential-vouch.js';
import { lookupHash, mintSecret } from './credential-vouch.js';
import { hashToken } from './user-token.js';

/** The browser's session cookie: HttpOnly, so the page's JavaScript never holds a credential. */
export const SESSION_COOKIE = 'gg_session';
export const SESSION_PREFIX = 'ggs_';
export const LINK_PREFIX = 'ggl_';

/**
 * A new session for a user: the token (tagged by the host's `vouch`) goes into the cookie, only its hash into the
 * database.
 */
export async function startSession(
  control: Pick<ControlStore, 'createSession'>,
  userId: string,
  vouch?: CredentialVouch,
): Promise<{ token: string; expiresAt: number }> {
  const token = await mintSecret(vouch, SESSION_PREFIX);
  const { expiresAt } = await control.createSession(await hashToken(token), userId);
  return { token, expiresAt };
}

/**
 * The hash a session cookie is stored under, or undefined for a value that is no session token at all. Call it
 * right before the lookup: a cookie that vouches for itself is said so to the host (lookupHash).
 */
export async function sessionTokenHash(token: string, vouch?: CredentialVouch): Promise<string | undefined> {
  return token.startsWith(SESSION_PREFIX) ? lookupHash(vouch, token) : undefined;
}

/**
 * A one-time login link's path (`/auth/link?code=…`) for a user: it signs in once, within minutes.
 * The CLI prints it (`gasgauge login-link`) and the demo prints one on start.
 */
export async function createLoginLink(
  /** The control store's sessions (core's `Sessions`, on the host that holds the store). */
  sessions: { createLoginLink(codeHash: string, userId: string, nextPath: string | null): { expiresAt: number } },
  userId: string,
  nextPath?: string,
  vouch?: CredentialVouch,
): Promise<{ path: string; expiresAt: number }> {
  const code = await mintSecret(vouch, LINK_PREFIX);
  const { expiresAt } = sessions.createLoginLink(await hashToken(code), userId, safeNextPath(nextPath));
  return { path: `/auth/link?code=${encodeURIComponent(code)}`, expiresAt };
}

/**
 * A same-origin path to go to after signing in, or null: never another origin (`//evil`, `/\evil`,
 * `https:`). Printable ASCII only (0x21–0x7E; anything else must come percent-encoded): the path
 * becomes a `Location` header, where a control character, DEL or a non-ASCII character is invalid.
 */
export function safeNextPath(next: unknown): string | null {
  if (typeof next !== 'string' || next.length > 512) return null;
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return null;
  for (let i = 0; i < next.length; i++) {
    const c = next.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x5c) return null; // 0x5c: a backslash
  }
  return next;
}
