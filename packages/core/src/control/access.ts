import { AppError } from '../errors.js';
import type { Control, ListedTown, TownInfo, User } from './control.js';
import type { Organization } from './orgs.js';

/**
 * Who may do what: the one place. The API calls these before it touches a town or an account.
 * A user who may not even see a thing gets not_found (so nobody learns which towns or organisations
 * exist); one who sees it but may not change it gets forbidden.
 */
export const ROLES = ['owner', 'admin', 'member', 'billing_manager'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** What each organisation role may do. The user who owns a personal town or account may do all of it. */
const ALLOWED = {
  /** Metrics, agents, events of the organisation's towns; minting their ingest tokens. */
  readTowns: ['owner', 'admin', 'member'],
  /** Creating organisation towns, setting their budgets. */
  manageTowns: ['owner', 'admin'],
  /** The gas tank: balance, burn, time to empty (members see it on their towns' overview). */
  readBalance: ['owner', 'admin', 'member', 'billing_manager'],
  /** Ledger entries and alerts. */
  readLedger: ['owner', 'admin', 'billing_manager'],
  /** Low-balance threshold and webhook. */
  manageBilling: ['owner', 'admin', 'billing_manager'],
  /** Adding members and changing roles. */
  manageMembers: ['owner', 'admin'],
  // biome-ignore lint/plugin/no-string-keys: checks the values only; ALLOWED keeps its literal keys (Permission)
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof ALLOWED;
export const TOWN_READERS: readonly Role[] = ALLOWED.readTowns;

function allows(role: Role | undefined, permission: Permission): boolean {
  return role !== undefined && (ALLOWED[permission] as readonly Role[]).includes(role);
}

/** The town, if `user` may read it (`readTowns`) or also manage it (`manageTowns`). */
export function townFor(
  control: Control,
  user: User,
  townId: string,
  need: 'readTowns' | 'manageTowns' = 'readTowns',
): ListedTown {
  const town = control.town(townId);
  const notFound = () => new AppError('not_found', 'town not found', { path: 'townId' });
  if (!town) throw notFound();
  if (town.ownerUserId !== null) {
    if (town.ownerUserId !== user.id) throw notFound();
    return town;
  }
  const role = control.orgs.role(town.ownerOrgId as string, user.id);
  if (!allows(role, 'readTowns')) throw notFound();
  if (!allows(role, need)) throw new AppError('forbidden', `your role (${role}) may not ${describe[need]}`, { path: 'townId' });
  return town;
}

/** The organisation, if `user` belongs to it and their role allows `need`. */
export function orgFor(control: Control, user: User, organizationId: string, need: Permission): Organization {
  const org = control.orgs.byId(organizationId);
  const role = org && control.orgs.role(org.id, user.id);
  if (!org || role === undefined) throw new AppError('not_found', 'organisation not found', { path: 'organizationId' });
  if (!allows(role, need))
    throw new AppError('forbidden', `your role (${role}) may not ${describe[need]}`, { path: 'organizationId' });
  return org;
}

/** The account `user` means: their own without an organisation, else the organisation's if `need` is allowed. */
export function accountFor(
  control: Control,
  user: User,
  organizationId: string | undefined,
  need: 'readBalance' | 'readLedger' | 'manageBilling',
): string {
  return organizationId === undefined ? user.id : orgFor(control, user, organizationId, need).id;
}

/** The account a town's spend is debited from. */
export function accountOfTown(town: TownInfo): string {
  return (town.ownerOrgId ?? town.ownerUserId) as string;
}

/** Admins manage members, but only an owner makes or unmakes an owner. */
export function assertMayAssignRole(
  control: Control,
  user: User,
  organizationId: string,
  targetUserId: string,
  role: string,
): void {
  orgFor(control, user, organizationId, 'manageMembers');
  const touchesOwner = role === 'owner' || control.orgs.role(organizationId, targetUserId) === 'owner';
  if (touchesOwner && control.orgs.role(organizationId, user.id) !== 'owner') {
    throw new AppError('forbidden', 'only an owner may make or change an owner', { path: 'role' });
  }
}

/**
 * Anyone may leave an organisation they belong to (the operator's CLI adds members without asking them); removing someone
 * else takes the right to manage members, and only an owner removes an owner.
 */
export function assertMayRemoveMember(control: Control, user: User, organizationId: string, targetUserId: string): void {
  if (targetUserId === user.id) {
    orgFor(control, user, organizationId, 'readBalance'); // every role: a member, or not found
    return;
  }
  assertMayAssignRole(control, user, organizationId, targetUserId, 'member');
}

/** Credits are granted by the operator of the deployment: a server admin, or the CLI. */
export function assertMayGrant(user: User): void {
  if (!user.isAdmin) throw new AppError('forbidden', 'only a server admin may grant credits');
}

const describe: Record<Permission, string> = {
  readTowns: "read this organisation's towns",
  manageTowns: "manage this organisation's towns",
  readBalance: "see this organisation's balance",
  readLedger: "see this organisation's ledger and alerts",
  manageBilling: "change this organisation's billing settings",
  manageMembers: "change this organisation's members",
};
