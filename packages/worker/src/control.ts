import type { ControlStore } from '@gasgauge/api';
import { CONTROL_NAME } from './control-do.js';
import { fromRemote, type Remote, settled } from './remote-error.js';

/** The control store's method names: what the control object answers over RPC (checked there too). */
export type ControlMethod = keyof ControlStore;

/**
 * The Worker's control store: every call goes to the one control Durable Object over RPC (its
 * `call`), a refusal rebuilt as its AppError. Listed method by method, so the type checker proves the
 * list complete and nothing but these names is ever sent.
 */
export function doControl(ns: Env['CONTROL']): ControlStore {
  // A stub per call: an I/O object of one request may not be used by another, and the app outlives requests.
  // A call the platform failed (the object reset, overloaded) is a 503 the client retries (platformFailure).
  const call = <K extends ControlMethod>(method: K, args: unknown[]) =>
    settled(ns.get(ns.idFromName(CONTROL_NAME)).call(method, args)).then((r) => fromRemote(r as Remote<unknown>)) as ReturnType<
      ControlStore[K]
    >;
  return {
    ping: (...a) => call('ping', a),
    userByTokenHash: (...a) => call('userByTokenHash', a),
    userById: (...a) => call('userById', a),
    userByName: (...a) => call('userByName', a),
    createUser: (...a) => call('createUser', a),
    addToken: (...a) => call('addToken', a),
    replaceTokens: (...a) => call('replaceTokens', a),
    createSession: (...a) => call('createSession', a),
    sessionUserId: (...a) => call('sessionUserId', a),
    revokeSession: (...a) => call('revokeSession', a),
    peekLoginLink: (...a) => call('peekLoginLink', a),
    consumeLoginLink: (...a) => call('consumeLoginLink', a),
    townFor: (...a) => call('townFor', a),
    orgFor: (...a) => call('orgFor', a),
    accountFor: (...a) => call('accountFor', a),
    assertMayAssignRole: (...a) => call('assertMayAssignRole', a),
    removeOrgMember: (...a) => call('removeOrgMember', a),
    town: (...a) => call('town', a),
    townsOf: (...a) => call('townsOf', a),
    townIdsOfAccount: (...a) => call('townIdsOfAccount', a),
    createTown: (...a) => call('createTown', a),
    orgById: (...a) => call('orgById', a),
    orgsOf: (...a) => call('orgsOf', a),
    createOrg: (...a) => call('createOrg', a),
    orgMembers: (...a) => call('orgMembers', a),
    orgMemberByName: (...a) => call('orgMemberByName', a),
    setOrgMember: (...a) => call('setOrgMember', a),
    inviteOrgMember: (...a) => call('inviteOrgMember', a),
    orgInvitations: (...a) => call('orgInvitations', a),
    answerOrgInvitation: (...a) => call('answerOrgInvitation', a),
    ingestKeyByHash: (...a) => call('ingestKeyByHash', a),
    touchIngestKey: (...a) => call('touchIngestKey', a),
    createIngestKey: (...a) => call('createIngestKey', a),
    listIngestKeys: (...a) => call('listIngestKeys', a),
    revokeIngestKey: (...a) => call('revokeIngestKey', a),
    balance: (...a) => call('balance', a),
    gasTank: (...a) => call('gasTank', a),
    ledgerEntries: (...a) => call('ledgerEntries', a),
    grant: (...a) => call('grant', a),
    alerts: (...a) => call('alerts', a),
    alertSettings: (...a) => call('alertSettings', a),
    configureAlerts: (...a) => call('configureAlerts', a),
    settle: (...a) => call('settle', a),
  };
}

/**
 * The names the control object answers: the methods `doControl` forwards, read off the object it builds
 * (no call is made, so no namespace is needed), so the two never differ.
 */
export const CONTROL_METHODS: ReadonlySet<string> = new Set(Object.keys(doControl({} as Env['CONTROL'])));
