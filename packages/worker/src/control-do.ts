import { DurableObject } from 'cloudflare:workers';
import { LocalControlStore, newId, WebhookDelivery } from '@gasgauge/api';
import { Control, upgradeLine } from '@gasgauge/core';
import { CONTROL_METHODS, type ControlMethod } from './control.js';
import { doSql } from './do-sql.js';
import { type Remote, toRemote } from './remote-error.js';

/** The one control-plane object's name (idFromName): users, tokens, sessions, organisations, towns, ledger, alerts. */
export const CONTROL_NAME = 'control';
const ADMIN_NAME = 'admin';
/** The label of the token `GASGAUGE_ADMIN_TOKEN` put in place (the only tokens with it). */
const ADMIN_TOKEN_LABEL = 'GASGAUGE_ADMIN_TOKEN';
/** How long the debits of an account's towns gather before each of its towns is told its gas tank moved. */
export const ACCOUNT_MOVED_MS = 500;

/**
 * The control plane as one Durable Object: the core `Control` over its SQLite storage, served to the
 * Worker's API and to the town objects' alarms as the `ControlStore` port (the same `LocalControlStore`
 * as the Node host, method by method over RPC; towns settle their outbox through it). The alarm
 * delivers alert webhooks with the API's own rules (no private targets, retries with backoff).
 */
export class ControlDO extends DurableObject<Env> {
  readonly control: Control;
  private readonly store: LocalControlStore;
  private readonly webhooks: WebhookDelivery;
  /** Accounts debited since their towns were last told (see accountMoved), and the timer that tells them. */
  private readonly moved = new Set<string>();
  private telling: ReturnType<typeof setTimeout> | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const clock = () => Date.now();
    this.control = new Control(doSql(ctx.storage), clock);
    const upgraded = upgradeLine('control object', this.control.schema);
    if (upgraded) console.log(upgraded);
    this.store = new LocalControlStore(this.control, clock);
    this.webhooks = new WebhookDelivery(this.control, clock, { allowPrivate: env.GASGAUGE_ALLOW_PRIVATE_WEBHOOKS === 'true' });
  }

  /** One `ControlStore` call from the Worker; a refusal comes back as data (see Remote). */
  async call(method: ControlMethod, args: unknown[]): Promise<Remote<unknown>> {
    if (!CONTROL_METHODS.has(method)) throw new Error(`not a control store method: ${String(method).slice(0, 40)}`);
    const fn = this.store[method] as (...a: unknown[]) => Promise<unknown>;
    const result = await toRemote(() => fn.apply(this.store, args));
    // A settle, a grant or new alert settings may make alerts due: deliver them from the alarm.
    if (method === 'settle' || method === 'grant' || method === 'configureAlerts') await this.deliverSoon();
    if (method === 'settle' && 'ok' in result) {
      const posted = result.ok as Awaited<ReturnType<LocalControlStore['settle']>>;
      if (posted.debits > 0 && posted.accountId !== null) this.accountMoved(posted.accountId);
    }
    return result;
  }

  /**
   * A settle debited the account, whose gas tank all its towns show: each town's live viewers are told, once for
   * every debit of the next ACCOUNT_MOVED_MS, however many of its towns settle then (a town's tick no longer tells
   * the others itself: tickTown's accountMoved). Best effort, as any publish: a town not reached shows the tank at
   * its own next tick.
   */
  private accountMoved(accountId: string): void {
    this.moved.add(accountId);
    this.telling ??= setTimeout(() => {
      const accounts = [...this.moved];
      this.moved.clear();
      this.telling = undefined;
      const towns = accounts.flatMap((a) => this.control.townIdsOfAccount(a));
      const ns = this.env.TOWN;
      for (const t of towns)
        void ns
          .get(ns.idFromName(t))
          .publish()
          .catch(() => {});
    }, ACCOUNT_MOVED_MS);
  }

  /**
   * `GASGAUGE_ADMIN_TOKEN` (its hash) is the admin user's token: the user is made the first time. A new
   * secret (rotated) replaces the token the previous one put there, so a leaked old secret stops working.
   * Idempotent: every Worker isolate calls it once.
   */
  bootstrapAdmin(tokenHash: string): void {
    if (this.control.userByTokenHash(tokenHash)) return;
    this.control.sql.transaction(() => {
      const admin = this.control.userByName(ADMIN_NAME) ?? this.control.createUser(newId('user'), ADMIN_NAME, true);
      this.control.sql.run('DELETE FROM api_tokens WHERE label = ?', ADMIN_TOKEN_LABEL);
      this.control.addToken(admin.id, tokenHash, ADMIN_TOKEN_LABEL);
    });
  }

  /** Delivers due webhooks, then wakes for the next retry. */
  override async alarm(): Promise<void> {
    await this.webhooks.deliverDue();
    const next = this.control.sql.rows("SELECT MIN(next_attempt_at) FROM alerts WHERE delivery = 'pending'")[0]?.[0];
    if (typeof next === 'number') await this.ctx.storage.setAlarm(next);
  }

  /**
   * The alarm delivers them (and retries after an eviction); an alarm already delivering, whose POSTs
   * may be waiting on a receiver that hangs, is told to start them now rather than when it ends.
   */
  private async deliverSoon(): Promise<void> {
    this.webhooks.wake();
    const due = await this.ctx.storage.getAlarm();
    if (due === null || due > Date.now()) await this.ctx.storage.setAlarm(Date.now());
  }
}
