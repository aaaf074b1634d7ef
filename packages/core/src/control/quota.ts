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
