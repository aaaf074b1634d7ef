import { AppError } from '../errors.js';
import type { Clock, Sql } from '../sql.js';
import { isRole, ROLES, type Role } from './access.js';
import { checkName } from './names.js';
import { assertOrgQuota } from './quota.js';

/** Refused as the last owner's removal or demotion, saying what to do instead. */
const LAST_OWNER = 'an organisation keeps at least one owner: make another member an owner first, then remove or change this one';

export interface Organization {
  id: string;
  name: string;
  createdAt: number;
}

/** A pending invitation into an organisation, as its invitee sees it. */
export interface Invitation {
  orgId: string;
  orgName: string;
  role: Role;
  createdAt: number;
}

export interface Membership {
  orgId: string;
  userId: string;
  role: Role;
  createdAt: number;
}

/** Organisations and who belongs to them, with which role. */
export class Orgs {
  constructor(
    private readonly sql: Sql,
    private readonly clock: Clock,
  ) {}

  /** A new organisation with `ownerUserId` as its first owner, in one transaction. */
  create(id: string, name: string, ownerUserId: string): Organization {
    checkName(name, 'name');
    return this.sql.transaction(() => {
      if (this.byName(name)) throw new AppError('conflict', `organisation "${name}" already exists`, { path: 'name' });
      if (this.sql.rows('SELECT 1 FROM users WHERE id = ?', ownerUserId).length === 0) {
        throw new AppError('not_found', 'owner not found', { path: 'owner' });
      }
      assertOrgQuota(this.sql, ownerUserId, 'owner');
      const createdAt = this.clock();
      this.sql.run(
        'INSERT INTO organizations (id, name, created_at, created_by) VALUES (?, ?, ?, ?)',
        id,
        name,
        createdAt,
        ownerUserId,
      );
      this.sql.run(
        `INSERT INTO memberships (org_id, user_id, role, created_at, user_name)
         VALUES (?, ?, 'owner', ?, (SELECT name FROM users WHERE id = ?))`,
        id,
        ownerUserId,
        createdAt,
        ownerUserId,
      );
      return { id, name, createdAt };
    });
  }

  byId(id: string): Organization | undefined {
    return this.sql.all<OrgRow>('SELECT * FROM organizations WHERE id = ?', id).map(toOrg)[0];
  }

  byName(name: string): Organization | undefined {
    return this.sql.all<OrgRow>('SELECT * FROM organizations WHERE name = ?', name).map(toOrg)[0];
  }

  /** The user's role in the organisation, if they belong to it. */
  role(orgId: string, userId: string): Role | undefined {
    return this.sql.rows('SELECT role FROM memberships WHERE org_id = ? AND user_id = ?', orgId, userId)[0]?.[0] as
      | Role
      | undefined;
  }

  /**
   * Adds a member, or changes the role of one. An organisation always keeps at least one owner, so
   * the last owner cannot be demoted.
   */
  setMember(orgId: string, userId: string, role: string): Membership {
    if (!isRole(role)) throw new AppError('bad_request', `role must be one of ${ROLES.join(', ')}`, { path: 'role' });
    return this.sql.transaction(() => {
      if (!this.byId(orgId)) throw new AppError('not_found', 'organisation not found', { path: 'organizationId' });
      if (this.sql.rows('SELECT 1 FROM users WHERE id = ?', userId).length === 0) {
        throw new AppError('not_found', 'user not found', { path: 'user' });
      }
      const current = this.role(orgId, userId);
      if (current === 'owner' && role !== 'owner') {
        const owners = Number(
          this.sql.rows("SELECT COUNT(*) FROM memberships WHERE org_id = ? AND role = 'owner'", orgId)[0]?.[0],
        );
        if (owners <= 1) throw new AppError('conflict', LAST_OWNER, { path: 'role' });
      }
      // A member has no invitation pending (the operator's CLI adds members directly).
      this.sql.run('DELETE FROM org_invitations WHERE org_id = ? AND user_id = ?', orgId, userId);
      this.sql.run(
        `INSERT INTO memberships (org_id, user_id, role, created_at, user_name)
         VALUES (?, ?, ?, ?, (SELECT name FROM users WHERE id = ?))
         ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role`,
        orgId,
        userId,
        role,
        this.clock(),
        userId,
      );
      const createdAt = this.sql.rows(
        'SELECT created_at FROM memberships WHERE org_id = ? AND user_id = ?',
        orgId,
        userId,
      )[0]?.[0] as number;
      return { orgId, userId, role, createdAt };
    });
  }

  /**
   * Invites a user who is not a member (again: the newest role wins). Nothing changes for them until
   * they accept; an invitation to a member is a conflict (change their role with setMember).
   */
  invite(orgId: string, userId: string, role: string, invitedBy: string): void {
    if (!isRole(role)) throw new AppError('bad_request', `role must be one of ${ROLES.join(', ')}`, { path: 'role' });
    this.sql.transaction(() => {
      if (this.role(orgId, userId) !== undefined)
        throw new AppError('conflict', 'already a member of this organisation', { path: 'userName' });
      this.sql.run(
        `INSERT INTO org_invitations (org_id, user_id, role, invited_by, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role, invited_by = excluded.invited_by`,
        orgId,
        userId,
        role,
        invitedBy,
        this.clock(),
      );
    });
  }

  /** A page of the user's pending invitations by organisation name, after `after` (a name). */
  invitations(userId: string, page: { limit: number; after?: string | undefined }): InvitationsPage {
    const rows = this.sql
      .all<{ org_id: string; name: string; role: Role; created_at: number }>(
        `SELECT i.org_id, o.name, i.role, i.created_at FROM org_invitations i JOIN organizations o ON o.id = i.org_id
         WHERE i.user_id = ? AND o.name > ? ORDER BY o.name LIMIT ?`,
        userId,
        page.after ?? '',
        page.limit + 1,
      )
      .map((r) => ({ orgId: r.org_id, orgName: r.name, role: r.role, createdAt: r.created_at }));
    const more = rows.length > page.limit;
    const invitations = more ? rows.slice(0, page.limit) : rows;
    return { invitations, nextCursor: more ? (invitations.at(-1)?.orgName ?? null) : null };
  }

  /** Accepts (the user becomes a member with the invited role) or declines the user's invitation; 404 without one. */
  answerInvitation(userId: string, orgId: string, accept: boolean): Membership | undefined {
    return this.sql.transaction(() => {
      const role = this.sql.rows('SELECT role FROM org_invitations WHERE org_id = ? AND user_id = ?', orgId, userId)[0]?.[0];
      if (role === undefined) throw new AppError('not_found', 'no invitation to this organisation', { path: 'organizationId' });
      this.sql.run('DELETE FROM org_invitations WHERE org_id = ? AND user_id = ?', orgId, userId);
      return accept ? this.setMember(orgId, userId, role as string) : undefined;
    });
  }

  /** Removes a member; the last owner stays (an organisation keeps at least one owner). */
  removeMember(orgId: string, userId: string): void {
    this.sql.transaction(() => {
      const role = this.role(orgId, userId);
      if (role === undefined) throw new AppError('not_found', 'not a member of this organisation', { path: 'userName' });
      if (role === 'owner') {
        const owners = Number(
          this.sql.rows("SELECT COUNT(*) FROM memberships WHERE org_id = ? AND role = 'owner'", orgId)[0]?.[0],
        );
        if (owners <= 1) throw new AppError('conflict', LAST_OWNER, { path: 'userName' });
      }
      this.sql.run('DELETE FROM memberships WHERE org_id = ? AND user_id = ?', orgId, userId);
    });
  }

  /**
   * A page of the organisation's members by user name, after `after` (a name). Read from the
   * (org_id, user_name) index, so a page costs its rows, however many members the organisation has.
   */
  members(orgId: string, page: { limit: number; after?: string | undefined }): MembersPage {
    const rows = this.sql.all<MemberRow>(MEMBERS_PAGE, orgId, page.after ?? '', page.limit + 1).map(toMember);
    const more = rows.length > page.limit;
    const members = more ? rows.slice(0, page.limit) : rows;
    return { members, nextCursor: more ? (members.at(-1)?.userName ?? null) : null };
  }

  /** The member of that user name, if one is. */
  memberByName(orgId: string, userName: string): Member | undefined {
    return this.sql
      .all<MemberRow>(
        'SELECT org_id, user_id, role, created_at, user_name FROM memberships WHERE org_id = ? AND user_name = ?',
        orgId,
        userName,
      )
      .map(toMember)[0];
  }

  /** A page of the organisations this user belongs to by name, after `after` (a name), with their role in each. */
  of(userId: string, page: { limit: number; after?: string | undefined }): (Organization & { role: Role })[] {
    return this.sql
      .all<OrgRow & { role: Role }>(
        `SELECT o.*, m.role FROM organizations o JOIN memberships m ON m.org_id = o.id
         WHERE m.user_id = ? AND o.name > ? ORDER BY o.name LIMIT ?`,
        userId,
        page.after ?? '',
        page.limit,
      )
      .map((r) => ({ ...toOrg(r), role: r.role }));
  }
}

export type Member = Membership & { userName: string };

/** A page of members by name; `nextCursor` is the `after` of the next page, null after the last. */
export interface MembersPage {
  members: Member[];
  nextCursor: string | null;
}

/** One page of members (exported for its query-plan test). */
export const MEMBERS_PAGE = `SELECT org_id, user_id, role, created_at, user_name FROM memberships
  WHERE org_id = ? AND user_name > ? ORDER BY user_name LIMIT ?`;

/** A page of invitations by organisation name; `nextCursor` is the `after` of the next page, null after the last. */
export interface InvitationsPage {
  invitations: Invitation[];
  nextCursor: string | null;
}

/** Most organisations one orgs.list page answers (the default), and invitations one orgs.invitations page answers. */
export const MAX_ORGS_PAGE = 100;

/** Most members one orgs.members page answers, and its default. */
export const MAX_MEMBERS_PAGE = 500;
export const DEFAULT_MEMBERS_PAGE = 100;

interface MemberRow {
  org_id: string;
  user_id: string;
  role: Role;
  created_at: number;
  user_name: string;
}
const toMember = (r: MemberRow): Member => ({
  orgId: r.org_id,
  userId: r.user_id,
  role: r.role,
  createdAt: r.created_at,
  userName: r.user_name,
});

interface OrgRow {
  id: string;
  name: string;
  created_at: number;
}
const toOrg = (r: OrgRow): Organization => ({ id: r.id, name: r.name, createdAt: r.created_at });
