import { DurableObject } from 'cloudflare:workers';
import { WebhookDelivery } from '@gasgauge/api';
import { Control, type OutboxEntry, settleTown } from '@gasgauge/core';
import { doSql } from './do-sql.js';

/** The one control-plane object's name (idFromName): users, tokens, sessions, organisations, towns, ledger, alerts. */
export const CONTROL_NAME = 'control';

/**
 * The control plane as one Durable Object: the core `Control` over its SQLite storage. Towns settle
 * their outbox here over RPC, and the alarm delivers alert webhooks with the API's own rules
 * (no private targets, retries with backoff).
 */
export class ControlDO extends DurableObject<Env> {
  readonly control: Control;
  private readonly webhooks: WebhookDelivery;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const clock = () => Date.now();
    this.control = new Control(doSql(ctx.storage), clock);
    this.webhooks = new WebhookDelivery(this.control, clock);
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
