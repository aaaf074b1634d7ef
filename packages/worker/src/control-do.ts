import { DurableObject } from 'cloudflare:workers';
import { createApp, hashToken, newId, WebhookDelivery } from '@gasgauge/api';
import { Control, type OutboxEntry, settleTown } from '@gasgauge/core';
import { doSql } from './do-sql.js';
import { doLive, doTowns } from './towns.js';

/** The one control-plane object's name (idFromName): users, tokens, sessions, organisations, towns, ledger, alerts. */
export const CONTROL_NAME = 'control';
const ADMIN_NAME = 'admin';
/** HS256 wants a key of at least its 256-bit output. */
const MIN_SECRET_LENGTH = 32;

function misconfigured(message: string): Response {
  return Response.json({ error: { code: 'internal', message } }, { status: 503 });
}

/**
 * The control plane as one Durable Object: the core `Control` over its SQLite storage. Towns settle
 * their outbox here over RPC, and the alarm delivers alert webhooks with the API's own rules
 * (no private targets, retries with backoff).
 */
export class ControlDO extends DurableObject<Env> {
  readonly control: Control;
  private readonly webhooks: WebhookDelivery;
  private app: ReturnType<typeof createApp> | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const clock = () => Date.now();
    this.control = new Control(doSql(ctx.storage), clock);
    this.webhooks = new WebhookDelivery(this.control, clock);
  }

  /**
   * The API (the same Hono app as the Node host) over this object's `Control`, the towns' objects
   * (TownHandle over RPC) and their live streams. Until the control store is a port of its own, the
   * app runs here, beside the `Control` it reads synchronously; see ARCHITECTURE.md, "Workers host".
   */
  override async fetch(request: Request): Promise<Response> {
    if (!this.app) {
      const secret = this.env.GASGAUGE_SECRET;
      if (!secret || secret.length < MIN_SECRET_LENGTH)
        return misconfigured(`GASGAUGE_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
      await this.bootstrapAdmin();
      this.app = createApp({
        control: this.control,
        towns: doTowns(this.env.TOWN),
        live: doLive(this.env.TOWN),
        secret: new TextEncoder().encode(secret),
        clock: () => Date.now(),
        log: (line) => console.error(line),
      });
    }
    return this.app.fetch(request);
  }

  /** `GASGAUGE_ADMIN_TOKEN` is the admin user's token: the user is made on the first request, the token added if new. */
  private async bootstrapAdmin(): Promise<void> {
    const token = this.env.GASGAUGE_ADMIN_TOKEN;
    if (!token?.startsWith('ggu_')) return;
    const hash = await hashToken(token);
    if (this.control.userByTokenHash(hash)) return;
    const admin = this.control.userByName(ADMIN_NAME) ?? this.control.createUser(newId('user'), ADMIN_NAME, true);
    this.control.addToken(admin.id, hash, 'GASGAUGE_ADMIN_TOKEN');
  }

  /**
   * A town's outbox entries into the owning account, in one transaction; posting the same entries
   * again adds nothing (hour totals are cumulative, alerts keyed by town and seq), so the town acks after.
   */
  async settle(townId: string, entries: OutboxEntry[]): Promise<SettledCount> {
    const { debits, alerts, accountId, refused } = settleTown(
      this.control,
      { outbox: () => entries, ackOutbox: () => {} },
      townId,
    );
    for (const e of refused) {
      console.error(
        `town ${townId}: refused to debit hour ${e.details?.hour} at ${e.amountMicrodollars} µ$ (outside the bounds)`,
      );
    }
    if (alerts > 0 || debits > 0) await this.deliverSoon();
    return { debits, alerts, accountId };
  }

  /** Delivers due webhooks, then wakes for the next retry. */
  override async alarm(): Promise<void> {
    await this.webhooks.deliverDue();
    const next = this.control.sql.rows("SELECT MIN(next_attempt_at) FROM alerts WHERE delivery = 'pending'")[0]?.[0];
    if (typeof next === 'number') await this.ctx.storage.setAlarm(next);
  }

  private async deliverSoon(): Promise<void> {
    const due = await this.ctx.storage.getAlarm();
    if (due === null || due > Date.now()) await this.ctx.storage.setAlarm(Date.now());
  }
}

/** What one settle posted (a re-post counts 0), and to which account. */
export interface SettledCount {
  debits: number;
  alerts: number;
  accountId: string | null;
}
