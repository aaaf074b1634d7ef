/** Fetchers and mutations for organisations: the caller's memberships, members, invitations; types inferred from the router. */
import { trpc } from './trpc.js';

export type Org = Awaited<ReturnType<typeof trpc.orgs.list.query>>[number];
export type OrgRole = Org['role'];
export type OrgMember = Awaited<ReturnType<typeof trpc.orgs.members.query>>['members'][number];
export type OrgInvitation = Awaited<ReturnType<typeof trpc.orgs.invitations.query>>['invitations'][number];

/** The largest page of orgs.list and orgs.invitations (docs/api.md). */
const ORGS_PAGE_MAX = 100;

/** Every page of orgs.list by name; a page shorter than the largest is the last. */
export async function fetchOrgs(signal: AbortSignal): Promise<Org[]> {
  const orgs: Org[] = [];
  for (;;) {
    const page = await trpc.orgs.list.query({ limit: ORGS_PAGE_MAX, after: orgs.at(-1)?.name }, { signal });
    orgs.push(...page);
    if (page.length < ORGS_PAGE_MAX) return orgs;
  }
}

/** The largest page orgs.members answers (docs/api.md). */
const MEMBERS_PAGE_MAX = 500;

/**
 * The first `count` members by name, read in pages of at most 500; `more` says the organisation has
 * others after them.
 */
export async function fetchMembers(
  organizationId: string,
  count: number,
  signal: AbortSignal,
): Promise<{ members: OrgMember[]; more: boolean }> {
  const members: OrgMember[] = [];
  let after: string | undefined;
  for (;;) {
    const limit = Math.min(MEMBERS_PAGE_MAX, count - members.length);
    const page = await trpc.orgs.members.query({ organizationId, limit, after }, { signal });
    members.push(...page.members);
    if (page.nextCursor === null) return { members, more: false };
    if (members.length >= count) return { members, more: true };
    after = page.nextCursor;
  }
}

/** Every page of orgs.invitations by organisation name. */
export async function fetchInvitations(signal: AbortSignal): Promise<OrgInvitation[]> {
  const invitations: OrgInvitation[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await trpc.orgs.invitations.query({ limit: ORGS_PAGE_MAX, after }, { signal });
    invitations.push(...page.invitations);
    if (page.nextCursor === null) return invitations;
    after = page.nextCursor;
  }
}

export function createOrg(name: string) {
  return trpc.orgs.create.mutate({ name });
}

/** Changes a member's role, or invites a name that is no member (answered alike whether or not it is a user). */
export function setMember(organizationId: string, userName: string, role: OrgRole) {
  return trpc.orgs.setMember.mutate({ organizationId, userName, role });
}

/** Removes a member, or (one's own name) leaves. */
export function removeMember(organizationId: string, userName: string) {
  return trpc.orgs.removeMember.mutate({ organizationId, userName });
}

export function answerInvitation(organizationId: string, accept: boolean) {
  return accept ? trpc.orgs.acceptInvitation.mutate({ organizationId }) : trpc.orgs.declineInvitation.mutate({ organizationId });
}
