import { AppError } from '../errors.js';
import { plural } from '../plural.js';
import type { Sql } from '../sql.js';

/**
 * Towns one owner (a user or an organisation) may own, unless configured otherwise
 * (`--max-towns-per-owner`). Every town costs the server a file and, while it works, memory and tick
 * time; without a cap one user created thousands in minutes. Admins' own towns are exempt: an admin
 * runs the server.
 */
export const DEFAULT_MAX_TOWNS_PER_OWNER = 100;

export interface TownQuota {
  /** Towns each user or organisation may own (admins' personal towns are not counted against it). */
  maxTownsPerOwner: number;
}

/** Refuses a new town for an owner already at the limit. Call inside the transaction that inserts it. */
export function assertTownQuota(
  sql: Sql,
  owner: { userId: string; isAdmin: boolean } | { orgId: string },
  quota: TownQuota,
): void {
  if ('userId' in owner && owner.isAdmin) return;
  const [column, id, path] =
    'userId' in owner ? ['owner_user_id', owner.userId, 'owner'] : ['owner_org_id', owner.orgId, 'organizationId'];
  const owned = Number(sql.rows(`SELECT COUNT(*) FROM towns WHERE ${column} = ?`, id)[0]?.[0] ?? 0);
  if (owned >= quota.maxTownsPerOwner) {
    const who = 'userId' in owner ? 'this user' : 'this organisation';
    throw new AppError(
      'forbidden',
      `town limit reached: ${who} already owns ${plural(owned, 'town')} and the limit is ${quota.maxTownsPerOwner} per owner (max-towns-per-owner)`,
      { path },
    );
  }
}

/**
 * Organisations one user may create (admins: any number). Any user can create organisations, and each
 * has its own town quota, so without this a user would multiply their towns by making organisations.
 * Organisations are never deleted and their creator never changes, so users × this bounds the
 * organisations, and so the towns. It counts what the user created, not what they own: owners are made
 * by other owners without asking, so counting owned organisations let anyone use up another user's
 * quota (make them the owner of ten, step down) and hand ownership on to create more.
 */
export const MAX_ORGS_CREATED_PER_USER = 10;

/** Refuses a new organisation by `userId` past the limit. Call inside the transaction that inserts it. */
export function assertOrgQuota(sql: Sql, userId: string, path: string): void {
  const [created, admin] = sql.rows(
    'SELECT (SELECT COUNT(*) FROM organizations WHERE created_by = ?), (SELECT is_admin FROM users WHERE id = ?)',
    userId,
    userId,
  )[0] as [number, number | null];
  if (admin === 1 || created < MAX_ORGS_CREATED_PER_USER) return;
  throw new AppError(
    'forbidden',
    `organisation limit reached: the user already created ${plural(created, 'organisation')} and the limit is ${MAX_ORGS_CREATED_PER_USER}`,
    { path },
  );
}
