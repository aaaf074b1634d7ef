import {
  accountFor,
  assertMayAssignRole,
  assertMayRemoveMember,
  type Clock,
  type Control,
  gasTank,
  type OutboxEntry,
  orgFor,
  postOutbox,
  Sessions,
  townFor,
  type User,
} from '@gasgauge/core';
import type { ControlStore } from './control.js';

/**
 * The control store over a `Control` in this process: the Node host, and a control Durable Object
 * whose RPC methods forward to it. Each method runs synchronously; `async` turns a throw into a rejection.
 */
export class LocalControlStore implements ControlStore {
  private readonly sessions: Sessions;

  constructor(
    private readonly control: Control,
    clock: Clock,
  ) {
    this.sessions = new Sessions(control.sql, clock);
  }

  async ping() {
    this.control.sql.rows('SELECT 1');
  }

  async userByTokenHash(tokenHash: string) {
    return this.control.userByTokenHash(tokenHash);
  }
  async userById(id: string) {
    return this.control.userById(id);
  }
  async userByName(name: string) {
    return this.control.userByName(name);
  }
  async createUser(id: string, name: string, isAdmin: boolean, tokenHash: string, label: string) {
    return this.control.sql.transaction(() => {
      const user = this.control.createUser(id, name, isAdmin);
      this.control.addToken(user.id, tokenHash, label);
      return user;
    });
  }
  async addToken(userId: string, tokenHash: string, label: string) {
    this.control.addToken(userId, tokenHash, label);
  }
  async replaceTokens(userId: string, tokenHash: string, label: string) {
    return this.control.replaceTokens(userId, tokenHash, label);
  }

  async createSession(tokenHash: string, userId: string) {
    return this.sessions.create(tokenHash, userId);
  }
  async sessionUserId(tokenHash: string) {
    return this.sessions.userId(tokenHash);
  }
  async revokeSession(tokenHash: string) {
    this.sessions.revoke(tokenHash);
  }
  async peekLoginLink(codeHash: string) {
    return this.sessions.peekLoginLink(codeHash);
  }
  async consumeLoginLink(codeHash: string) {
    return this.sessions.consumeLoginLink(codeHash);
  }

  async townFor(...args: Parameters<ControlStore['townFor']>) {
    return townFor(this.control, ...args);
  }
  async orgFor(...args: Parameters<ControlStore['orgFor']>) {
    return orgFor(this.control, ...args);
  }
  async accountFor(...args: Parameters<ControlStore['accountFor']>) {
    return accountFor(this.control, ...args);
  }
  async assertMayAssignRole(...args: Parameters<ControlStore['assertMayAssignRole']>) {
    assertMayAssignRole(this.control, ...args);
  }

  async town(id: string) {
    return this.control.town(id);
  }
  async townsOf(...args: Parameters<ControlStore['townsOf']>) {
    return this.control.townsOf(...args);
  }
  async townIdsOfAccount(accountId: string) {
    return this.control.townIdsOfAccount(accountId);
  }
  async createTown(...args: Parameters<ControlStore['createTown']>) {
    return this.control.createTown(...args);
  }

  async orgById(id: string) {
    return this.control.orgs.byId(id);
  }
  async orgsOf(userId: string, page: { limit: number; after?: string | undefined }) {
    return this.control.orgs.of(userId, page);
  }
  async createOrg(id: string, name: string, ownerUserId: string) {
    return this.control.orgs.create(id, name, ownerUserId);
  }
  async orgMembers(orgId: string, page: { limit: number; after?: string | undefined }) {
    return this.control.orgs.members(orgId, page);
  }
  async orgMemberByName(orgId: string, userName: string) {
    return this.control.orgs.memberByName(orgId, userName);
  }
  async removeOrgMember(user: User, orgId: string, targetUserId: string) {
    this.control.sql.transaction(() => {
      assertMayRemoveMember(this.control, user, orgId, targetUserId);
      this.control.orgs.removeMember(orgId, targetUserId);
    });
  }
  async setOrgMember(orgId: string, userId: string, role: string) {
    return this.control.orgs.setMember(orgId, userId, role);
  }
  async inviteOrgMember(orgId: string, userName: string, role: string, invitedBy: string) {
    const user = this.control.userByName(userName);
    if (user) this.control.orgs.invite(orgId, user.id, role, invitedBy);
  }
  async orgInvitations(userId: string, page: { limit: number; after?: string | undefined }) {
    return this.control.orgs.invitations(userId, page);
  }
  async answerOrgInvitation(userId: string, orgId: string, accept: boolean) {
    return this.control.orgs.answerInvitation(userId, orgId, accept);
  }

  async ingestKeyByHash(keyHash: string) {
    return this.control.ingestKeys.byHash(keyHash);
  }
  async touchIngestKey(keyHash: string, now: number) {
    this.control.ingestKeys.touch(keyHash, now);
  }
  async createIngestKey(...args: Parameters<ControlStore['createIngestKey']>) {
    return this.control.ingestKeys.create(...args);
  }
  async listIngestKeys(townId: string) {
    return this.control.ingestKeys.list(townId);
  }
  async revokeIngestKey(townId: string, name: string) {
    this.control.ingestKeys.revoke(townId, name);
  }

  async balance(accountId: string) {
    return this.control.ledger.balance(accountId);
  }
  async gasTank(accountId: string, now: number) {
    return gasTank(this.control, accountId, now);
  }
  async ledgerEntries(accountId: string, limit: number, before?: number) {
    return this.control.ledger.entries(accountId, limit, before);
  }
  async grant(...args: Parameters<ControlStore['grant']>) {
    return this.control.ledger.grant(...args);
  }
  async alerts(accountId: string, limit: number) {
    return this.control.alerts.list(accountId, limit);
  }
  async alertSettings(accountId: string) {
    return this.control.alerts.settings(accountId);
  }
  async configureAlerts(...args: Parameters<ControlStore['configureAlerts']>) {
    return this.control.alerts.configure(...args);
  }
  async settle(townId: string, entries: OutboxEntry[]) {
    return postOutbox(this.control, townId, entries);
  }
}
