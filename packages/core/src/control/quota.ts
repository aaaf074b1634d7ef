import { AppError } from '../errors.js';
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
    const who = 'userId' in owner ? 'this user' : 'this organization';
    throw new AppError(
      'forbidden',
      `town limit reached: ${who} already owns ${owned} towns and the limit is ${quota.maxTownsPerOwner} per owner (max-towns-per-owner)`,
      { path },
    );
  }
}

/**
 * Organisations one user may own (admins: any number). Any user can create organisations, and each has
 * its own town quota, so without this a user would multiply their towns by making organisations.
 * Every organisation keeps an owner, so users × this bounds the organisations, and so the towns.
 */
export const MAX_ORGS_OWNED_PER_USER = 10;

/** Refuses to make `userId` the owner of one more organisation. Call inside the transaction that does it. */
export function assertOrgQuota(sql: Sql, userId: string, path: string): void {
  const [owned, admin] = sql.rows(
    "SELECT (SELECT COUNT(*) FROM memberships WHERE user_id = ? AND role = 'owner'), (SELECT is_admin FROM users WHERE id = ?)",
    userId,
    userId,
  )[0] as [number, number | null];
  if (admin === 1 || owned < MAX_ORGS_OWNED_PER_USER) return;
  throw new AppError(
    'forbidden',
    `organization limit reached: the user already owns ${owned} organizations and the limit is ${MAX_ORGS_OWNED_PER_USER}`,
    { path },
  );
}
