import { AppError, type Control, type User } from '@gasgauge/core';
import { bearer } from './bearer.js';
import { hashToken, USER_TOKEN_PREFIX } from './user-token.js';

/** Read routes accept user API tokens only; an ingest JWT here is a 401, never a read. */
export async function authenticateUser(control: Control, authorization: string | undefined | null): Promise<User> {
  const token = bearer(authorization);
  if (!token.startsWith(USER_TOKEN_PREFIX)) throw new AppError('unauthorized', 'a user API token (ggu_…) is required here');
  const user = control.userByTokenHash(await hashToken(token));
  if (!user) throw new AppError('unauthorized', 'unknown API token');
  return user;
}
