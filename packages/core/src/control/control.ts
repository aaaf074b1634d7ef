import { Alerts } from '../billing/alerts.js';
import { Ledger } from '../billing/ledger.js';
import { AppError } from '../errors.js';
import { type MigrationResult, migrate } from '../migrate.js';
import type { Clock, Sql } from '../sql.js';
import { TOWN_READERS } from './access.js';
import { IngestKeys } from './ingest-keys.js';
import { checkName } from './names.js';
import { Orgs } from './orgs.js';
import { assertTownQuota, DEFAULT_MAX_TOWNS_PER_OWNER, type TownQuota } from './quota.js';
import { CONTROL_MIGRATIONS } from './schema.js';

export interface User {
  id: string;
  name: string;
  isAdmin: boolean;
  createdAt: number;
}

export interface TownInfo {
  id: string;
  name: string;
  /** Exactly one of the two owners is set: a personal town or an organisation's. */
  ownerUserId: string | null;
  ownerOrgId: string | null;
  createdAt: number;
}

/**
 * A town as read for a user (`town`, `townsOf`, `townFor`): with the name of the organisation that owns it,
 * null for a personal town, joined in the one query that reads the town, so a page of towns across many
 * organisations costs no read per organisation (on Workers, each would be a control object call).
 */
export interface ListedTown extends TownInfo {
  ownerOrgName: string | null;
}

/** Who owns a town, and so whose account pays for it. */
export type TownOwner = { userId: string } | { orgId: string };

/**
 * Users, their API tokens (stored as hashes only), organisations, the towns they own, and the
 * accounts that pay for them (ledger, alerts). Who may see what is decided in access.ts.
 * Ids and token hashes are made by the caller (Web Crypto in the API), so the core stays deterministic.
 */
export class Control {
  /** The schema version the database had when opened and the one it has now (a host logs an upgrade). */
  readonly schema: MigrationResult;
  readonly orgs: Orgs;
  readonly alerts: Alerts;
  readonly ledger: Ledger;
  readonly ingestKeys: IngestKeys;

  constructor(
    readonly sql: Sql,
    private readonly clock: Clock,
    private readonly quota: TownQuota = { maxTownsPerOwner: DEFAULT_MAX_TOWNS_PER_OWNER },
  ) {
    this.schema = migrate(sql, CONTROL_MIGRATIONS, clock());
    this.orgs = new Orgs(sql, clock);
    this.alerts = new Alerts(sql);
    this.ledger = new Ledger(sql, this.alerts);
    this.ingestKeys = new IngestKeys(sql, clock);
  }

  createUser(id: string, name: string, isAdmin = false): User {
    checkName(name, 'name');
    if (this.userByName(name)) throw new AppError('conflict', `user "${name}" already exists`, { path: 'name' });
    const createdAt = this.clock();
    this.sql.run('INSERT INTO users (id, name, is_admin, created_at) VALUES (?, ?, ?, ?)', id, name, isAdmin ? 1 : 0, createdAt);
    return { id, name, isAdmin, createdAt };
  }

  /** The control store's time (its clock): what a settle judges the age of the hours it posts by. */
  now(): number {
    return this.clock();
  }

  /** Server admins (`user add --admin`, the first start's `admin`). */
  adminCount(): number {
    return Number(this.sql.rows('SELECT COUNT(*) FROM users WHERE is_admin = 1')[0]?.[0] ?? 0);
  }

  userCount(): number {
    return Number(this.sql.rows('SELECT COUNT(*) FROM users')[0]?.[0] ?? 0);
  }

  userByName(name: string): User | undefined {
    return this.sql.all<UserRow>('SELECT * FROM users WHERE name = ?', name).map(toUser)[0];
  }

  userById(id: string): User | undefined {
    return this.sql.all<UserRow>('SELECT * FROM users WHERE id = ?', id).map(toUser)[0];
  }

  addToken(userId: string, tokenHash: string, label?: string): void {
    this.sql.run(
      'INSERT INTO api_tokens (token_hash, user_id, label, created_at) VALUES (?, ?, ?, ?)',
      tokenHash,
      userId,
      label ?? null,
      this.clock(),
    );
  }

  /**
   * Replaces every credential of the user with one new API token, in one transaction: its other API
   * tokens, browser sessions and unused login links stop working at once (a token that leaked). Without
   * it a token, once issued, signed its user in for good.
   */
  replaceTokens(userId: string, tokenHash: string, label?: string): { revokedTokens: number; endedSessions: number } {
    return this.sql.transaction(() => {
      if (!this.userById(userId)) throw new AppError('not_found', 'user not found', { path: 'name' });
      const revokedTokens = this.sql.run('DELETE FROM api_tokens WHERE user_id = ?', userId);
      const endedSessions = this.sql.run('DELETE FROM sessions WHERE user_id = ?', userId);
      this.sql.run('DELETE FROM login_links WHERE user_id = ?', userId);
      this.addToken(userId, tokenHash, label);
      return { revokedTokens, endedSessions };
    });
  }

  userByTokenHash(tokenHash: string): User | undefined {
    return this.sql
      .all<UserRow>('SELECT users.* FROM api_tokens JOIN users ON users.id = api_tokens.user_id WHERE token_hash = ?', tokenHash)
      .map(toUser)[0];
  }

  /** A town for a user or an organisation, within the owner's town quota (counted and inserted in one transaction). */
  createTown(id: string, name: string, owner: TownOwner): TownInfo {
    checkName(name, 'name');
    const ownerUserId = 'userId' in owner ? owner.userId : null;
    const ownerOrgId = 'orgId' in owner ? owner.orgId : null;
    return this.sql.transaction(() => {
      const user = ownerUserId === null ? undefined : this.userById(ownerUserId);
      if (ownerUserId !== null && !user) throw new AppError('not_found', 'owner not found', { path: 'owner' });
      if (ownerOrgId !== null && !this.orgs.byId(ownerOrgId)) {
        throw new AppError('not_found', 'organisation not found', { path: 'organizationId' });
      }
      assertTownQuota(this.sql, user ? { userId: user.id, isAdmin: user.isAdmin } : { orgId: ownerOrgId as string }, this.quota);
      const createdAt = this.clock();
      this.sql.run(
        'INSERT INTO towns (id, name, owner_user_id, owner_org_id, created_at) VALUES (?, ?, ?, ?, ?)',
        id,
        name,
        ownerUserId,
        ownerOrgId,
        createdAt,
      );
      return { id, name, ownerUserId, ownerOrgId, createdAt };
    });
  }

  town(id: string): ListedTown | undefined {
    return this.sql.all<ListedTownRow>(`${SELECT_LISTED} WHERE towns.id = ?`, id).map(toListedTown)[0];
  }

  /** The towns an account pays for (its gas tank shows on each of their overviews). */
  townIdsOfAccount(accountId: string): string[] {
    return this.sql
      .rows('SELECT id FROM towns WHERE owner_user_id = ? OR owner_org_id = ? ORDER BY id', accountId, accountId)
      .map((r) => r[0] as string);
  }

  allTownIds(): string[] {
    return this.sql.rows('SELECT id FROM towns ORDER BY id').map((r) => r[0] as string);
  }

  /** Every town, by creation (the operator's `gasgauge town list`). */
  allTowns(): TownInfo[] {
    return this.sql.all<TownRow>('SELECT * FROM towns ORDER BY created_at, id').map(toTown);
  }

  /**
   * The towns this user may read: their own, and those of organisations where their role reads towns (see
   * access.ts), by creation; with a page, at most `limit` of them after the town `after` (one of these; any
   * other id gives an empty page).
   */
  townsOf(userId: string, page?: { limit: number; after?: string | undefined }): ListedTown[] {
    // Qualified: the outer query joins organizations, whose id and created_at would otherwise be ambiguous.
    const readable = `(towns.owner_user_id = ?
      OR towns.owner_org_id IN (SELECT org_id FROM memberships WHERE user_id = ? AND role IN (${TOWN_READERS.map(() => '?').join(', ')})))`;
    const who = [userId, userId, ...TOWN_READERS];
    const after =
      page?.after === undefined
        ? ''
        : ` AND (towns.created_at, towns.id) > (SELECT created_at, id FROM towns WHERE id = ? AND ${readable})`;
    return this.sql
      .all<ListedTownRow>(
        `${SELECT_LISTED} WHERE ${readable}${after} ORDER BY towns.created_at, towns.id${page ? ' LIMIT ?' : ''}`,
        ...who,
        ...(page?.after === undefined ? [] : [page.after, ...who]),
        ...(page ? [page.limit] : []),
      )
      .map(toListedTown);
  }
}

interface UserRow {
  id: string;
  name: string;
  is_admin: number;
  created_at: number;
}
interface TownRow {
  id: string;
  name: string;
  owner_user_id: string | null;
  owner_org_id: string | null;
  created_at: number;
}
interface ListedTownRow extends TownRow {
  owner_org_name: string | null;
}
const SELECT_LISTED =
  'SELECT towns.*, organizations.name AS owner_org_name FROM towns LEFT JOIN organizations ON organizations.id = towns.owner_org_id';
const toUser = (r: UserRow): User => ({ id: r.id, name: r.name, isAdmin: r.is_admin === 1, createdAt: r.created_at });
const toTown = (r: TownRow): TownInfo => ({
  id: r.id,
  name: r.name,
  ownerUserId: r.owner_user_id,
  ownerOrgId: r.owner_org_id,
  createdAt: r.created_at,
});
const toListedTown = (r: ListedTownRow): ListedTown => ({ ...toTown(r), ownerOrgName: r.owner_org_name });
