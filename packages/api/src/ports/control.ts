import type {
  Alert,
  AlertSettings,
  AlertSettingsChange,
  GasTank,
  IngestKeyInfo,
  InvitationsPage,
  KeyKind,
  LedgerEntry,
  LedgerPage,
  ListedTown,
  LoginLink,
  Member,
  Membership,
  MembersPage,
  Organization,
  OutboxEntry,
  Permission,
  Role,
  Settled,
  TownInfo,
  TownOwner,
  User,
} from '@gasgauge/core';

/**
 * The control store as the API sees it: users, API tokens, sessions, organisations, towns, ingest
 * keys, ledger and alerts. Every method returns a Promise, so a host may keep the store in another
 * actor (a control Durable Object serving these methods over RPC); the Node host wraps its `Control`
 * (`LocalControlStore`). Methods are flat (no sub-objects) so an RPC stub can forward each one.
 * Secrets arrive hashed (the API hashes with Web Crypto); ids are made by the caller. A refusal
 * rejects with the core's `AppError`, which a remote host must rebuild so the API answers its 4xx.
 */
export interface ControlStore {
  /** Resolves when the store answers (`GET /readyz`): cheap, no scan. */
  ping(): Promise<void>;

  // Users and their API tokens.
  userByTokenHash(tokenHash: string): Promise<User | undefined>;
  userById(id: string): Promise<User | undefined>;
  userByName(name: string): Promise<User | undefined>;
  /** A new user and its first API token, in one transaction (admins, `users.create`). */
  createUser(id: string, name: string, isAdmin: boolean, tokenHash: string, label: string): Promise<User>;
  addToken(userId: string, tokenHash: string, label: string): Promise<void>;
  /** One new API token in place of all the user's others, its sessions and login links (admins, `users.mintToken`). */
  replaceTokens(userId: string, tokenHash: string, label: string): Promise<{ revokedTokens: number; endedSessions: number }>;

  // Browser sessions and one-time login links (the cookie's and the code's hashes).
  createSession(tokenHash: string, userId: string): Promise<{ expiresAt: number }>;
  /** The session's user, while it is neither expired nor signed out. */
  sessionUserId(tokenHash: string): Promise<string | undefined>;
  revokeSession(tokenHash: string): Promise<void>;
  /** The link, if it is still good, without using it up (the GET that shows the sign-in page). */
  peekLoginLink(codeHash: string): Promise<LoginLink | undefined>;
  /** The link, used up: a second call finds nothing. */
  consumeLoginLink(codeHash: string): Promise<LoginLink | undefined>;

  // Who may do what (core's access.ts, run where the store is): not_found when the user may not see it, forbidden when they may not change it.
  townFor(user: User, townId: string, need?: 'readTowns' | 'manageTowns'): Promise<ListedTown>;
  orgFor(user: User, organizationId: string, need: Permission): Promise<Organization>;
  accountFor(
    user: User,
    organizationId: string | undefined,
    need: 'readBalance' | 'readLedger' | 'manageBilling',
  ): Promise<string>;
  assertMayAssignRole(user: User, organizationId: string, targetUserId: string, role: string): Promise<void>;

  // Towns.
  /** With its organisation's name (ListedTown), as are townFor's and townsOf's: read in the same query. */
  town(id: string): Promise<ListedTown | undefined>;
  /** The towns this user may read: their own and their organisations', by creation; with a page, `limit` after the town `after`. */
  townsOf(userId: string, page?: { limit: number; after?: string | undefined }): Promise<ListedTown[]>;
  /** The towns an account pays for (their overviews show its gas tank). */
  townIdsOfAccount(accountId: string): Promise<string[]>;
  /** Within the owner's town quota. */
  createTown(id: string, name: string, owner: TownOwner): Promise<TownInfo>;

  // Organisations.
  orgById(id: string): Promise<Organization | undefined>;
  /** A page of the user's organisations by name (see Orgs.of). */
  orgsOf(userId: string, page: { limit: number; after?: string | undefined }): Promise<(Organization & { role: Role })[]>;
  createOrg(id: string, name: string, ownerUserId: string): Promise<Organization>;
  /** A page of members by user name (see Orgs.members). */
  orgMembers(orgId: string, page: { limit: number; after?: string | undefined }): Promise<MembersPage>;
  orgMemberByName(orgId: string, userName: string): Promise<Member | undefined>;
  setOrgMember(orgId: string, userId: string, role: string): Promise<Membership>;
  /**
   * Invites the user of this name, if there is one, who is not a member; they become one only by
   * accepting (answerOrgInvitation). By name, in one call either way: the caller learns nothing, not
   * even from a second round trip, about whether the name is a user.
   */
  inviteOrgMember(orgId: string, userName: string, role: string, invitedBy: string): Promise<void>;
  /** A page of the user's invitations by organisation name (see Orgs.invitations). */
  orgInvitations(userId: string, page: { limit: number; after?: string | undefined }): Promise<InvitationsPage>;
  /** Accepts (the membership) or declines the user's invitation to the organisation; 404 without one. */
  answerOrgInvitation(userId: string, orgId: string, accept: boolean): Promise<Membership | undefined>;
  /** Removes `targetUserId` from the organisation if `user` may (leaving it, or managing members). */
  removeOrgMember(user: User, orgId: string, targetUserId: string): Promise<void>;

  // Ingest keys (by hash; the key itself is never stored).
  ingestKeyByHash(keyHash: string): Promise<IngestKeyInfo | undefined>;
  /** Records a key's use (the caller touches each key at most once a minute). */
  touchIngestKey(keyHash: string, now: number): Promise<void>;
  createIngestKey(keyHash: string, townId: string, name: string, agentId: string | null, kind?: KeyKind): Promise<IngestKeyInfo>;
  listIngestKeys(townId: string): Promise<IngestKeyInfo[]>;
  revokeIngestKey(townId: string, name: string): Promise<void>;

  // Accounts: ledger, gas tank, alerts.
  balance(accountId: string): Promise<number>;
  gasTank(accountId: string, now: number): Promise<GasTank>;
  ledgerEntries(accountId: string, limit: number, before?: number): Promise<LedgerPage>;
  grant(accountId: string, amountMicrodollars: number, at: number, note?: string): Promise<LedgerEntry>;
  alerts(accountId: string, limit: number): Promise<Alert[]>;
  alertSettings(accountId: string): Promise<AlertSettings>;
  configureAlerts(accountId: string, change: AlertSettingsChange, allowPrivateWebhook: boolean): Promise<AlertSettings>;
  /**
   * Posts a town's outbox entries to its owning account in one transaction (core's `postOutbox`):
   * hour totals debited exactly once, budget crossings raised as alerts. Safe to repeat.
   */
  settle(townId: string, entries: OutboxEntry[]): Promise<Settled>;
}
