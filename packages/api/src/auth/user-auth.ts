import { AppError, type User } from '@gasgauge/core';
import type { ControlStore } from '../ports/control.js';
import type { CredentialVouch } from '../ports/credential-vouch.js';
import { bearer } from './bearer.js';
import { lookupHash } from './credential-vouch.js';
import { sessionTokenHash } from './session.js';
import { USER_TOKEN_PREFIX } from './user-token.js';

/** A request's user, and whether the same credential still signs that user in. */
export interface Principal {
  user: User;
  /**
   * True while the credential is still good (a session not signed out or expired, an API token not
   * deleted): one lookup by primary key, cheap enough to call before every push of a live stream.
   */
  stillValid(): Promise<boolean>;
  /** The credential, as an ingest token minted with it names it (Holder): `t:` or `s:` and its hash. */
  credential: string;
}

/**
 * The user a credential named by `credential` (Holder) still signs in, if any: an ingest token minted
 * with it writes only while this is its minter. Call it only for a holder whose ingest token's signature
 * checked: that signature vouches for the credential it names (CredentialVouch.vouched).
 */
export async function holderUser(control: ControlStore, credential: string, vouch?: CredentialVouch): Promise<User | undefined> {
  const hash = credential.slice(2);
  vouch?.vouched?.(hash, async () => true);
  if (credential.startsWith('t:')) return control.userByTokenHash(hash);
  if (!credential.startsWith('s:')) return undefined;
  const userId = await control.sessionUserId(hash);
  return userId === undefined ? undefined : control.userById(userId);
}

/** Read routes accept user API tokens only; an ingest JWT here is a 401, never a read. */
export async function authenticateUser(
  control: ControlStore,
  authorization: string | undefined | null,
  vouch?: CredentialVouch,
): Promise<User> {
  return (await tokenPrincipal(control, authorization, vouch)).user;
}

async function tokenPrincipal(
  control: ControlStore,
  authorization: string | undefined | null,
  vouch: CredentialVouch | undefined,
): Promise<Principal> {
  const token = bearer(authorization);
  if (!token.startsWith(USER_TOKEN_PREFIX)) throw new AppError('unauthorized', 'a user API token (ggu_…) is required here');
  const tokenHash = await lookupHash(vouch, token);
  const user = await control.userByTokenHash(tokenHash);
  if (!user) throw new AppError('unauthorized', 'unknown API token');
  return {
    user,
    stillValid: async () => (await control.userByTokenHash(tokenHash))?.id === user.id,
    credential: `t:${tokenHash}`,
  };
}

async function sessionPrincipal(control: ControlStore, token: string, vouch: CredentialVouch | undefined): Promise<Principal> {
  const tokenHash = await sessionTokenHash(token, vouch);
  const userId = tokenHash === undefined ? undefined : await control.sessionUserId(tokenHash);
  const user = userId === undefined ? undefined : await control.userById(userId);
  if (!user || tokenHash === undefined)
    throw new AppError('unauthorized', 'session expired or signed out; sign in again', { path: 'session' });
  return { user, stillValid: async () => (await control.sessionUserId(tokenHash)) === user.id, credential: `s:${tokenHash}` };
}

/**
 * Scripts send `Authorization: Bearer ggu_…`; the browser sends its session cookie. A request with an
 * Authorization header is judged by it alone, so a bad header never falls back to the cookie.
 */
export async function authenticatePrincipal(
  deps: { control: ControlStore; vouch?: CredentialVouch },
  authorization: string | undefined | null,
  sessionToken: string | undefined,
): Promise<Principal> {
  if (!authorization && sessionToken) return sessionPrincipal(deps.control, sessionToken, deps.vouch);
  return tokenPrincipal(deps.control, authorization, deps.vouch);
}

/** The user of a request (see authenticatePrincipal). */
export async function authenticateRequest(
  deps: { control: ControlStore; vouch?: CredentialVouch },
  authorization: string | undefined | null,
  sessionToken: string | undefined,
): Promise<User> {
  return (await authenticatePrincipal(deps, authorization, sessionToken)).user;
}
