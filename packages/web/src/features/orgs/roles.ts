import type { OrgRole } from '../../api/orgs.js';

/**
 * What the page offers each role, mirroring the server's rules (core/src/control/access.ts), which
 * still decide: owners and admins manage members, only an owner makes or changes an owner, anyone may leave.
 */
export const ROLE_ORDER: readonly OrgRole[] = ['owner', 'admin', 'member', 'billing_manager'];

export function roleText(role: OrgRole): string {
  return role.replace('_', ' ');
}

export function mayManageMembers(role: OrgRole): boolean {
  return role === 'owner' || role === 'admin';
}

/** Whether the role may create the organisation's towns (owners and admins). */
export function mayManageTowns(role: OrgRole): boolean {
  return role === 'owner' || role === 'admin';
}

/** The roles `mine` may give: every role for an owner; an admin every role but owner. */
export function assignableRoles(mine: OrgRole): OrgRole[] {
  if (!mayManageMembers(mine)) return [];
  return ROLE_ORDER.filter((r) => mine === 'owner' || r !== 'owner');
}

/** Whether `mine` may change or remove another member who holds `theirs` (only an owner touches an owner). */
export function mayChangeMember(mine: OrgRole, theirs: OrgRole): boolean {
  return mayManageMembers(mine) && (mine === 'owner' || theirs !== 'owner');
}
