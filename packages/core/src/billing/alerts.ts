import { AppError } from '../errors.js';
import type { JsonFields } from '../json.js';
import type { Sql } from '../sql.js';
import { accountBalance } from './balance.js';
import { checkWebhookUrl } from './webhook-url.js';

/** Five dollars: below this a balance is low unless the account sets its own threshold. */
export const DEFAULT_LOW_BALANCE_MICRODOLLARS = 5_000_000;
export const MAX_ALERT_PAGE = 200;
/**
 * Alerts kept per account, the newest; raising one more deletes the oldest. A crossing re-arms when
 * its setting changes (a budget cap lowered again, a zone changed, a low-balance threshold moved past the balance), so
 * a script that toggles a budget on each of its towns raised 2 alerts per town and tick, forever:
 * 40 a second for one user with 100 towns.
 */
export const MAX_ALERTS_PER_ACCOUNT = 1_000;

export type AlertKind = 'low_balance' | 'budget' | 'runaway';
export type Delivery = 'none' | 'pending' | 'delivered' | 'failed';

export interface AlertSettings {
  lowBalanceMicrodollars: number;
  /** Alerts are POSTed here as JSON; null: shown in the API only. */
  webhookUrl: string | null;
}

export interface Alert {
  id: number;
  kind: AlertKind;
  accountId: string;
  townId: string | null;
  at: number;
  /** What crossed: for low_balance {balanceMicrodollars, thresholdMicrodollars}; for budget see town/budget.ts; for runaway town/beads/runaway.ts. */
  details: JsonFields;
  delivery: Delivery;
  attempts: number;
  deliveredAt: number | null;
  lastError: string | null;
}

export interface AlertSettingsChange {
  lowBalanceMicrodollars?: number | undefined;
  /** null removes the webhook. */
  webhookUrl?: string | null | undefined;
}

/** An alert due for (another) webhook attempt. */
export interface DueAlert {
  alert: Alert;
  webhookUrl: string;
}

/**
 * Alerts, raised once per crossing: each has a unique key made from what crossed (the ledger entry
 * that took the balance below the threshold, the town outbox entry of a budget crossing), so raising
 * it again is a no-op. Delivery to the account's webhook is tracked here; the host does the POSTs.
 */
export class Alerts {
  constructor(private readonly sql: Sql) {}

  settings(accountId: string): AlertSettings {
    const row = this.sql.rows(
      'SELECT low_balance_microdollars, webhook_url FROM account_settings WHERE account_id = ?',
      accountId,
    )[0];
    return row
      ? { lowBalanceMicrodollars: row[0] as number, webhookUrl: row[1] as string | null }
      : { lowBalanceMicrodollars: DEFAULT_LOW_BALANCE_MICRODOLLARS, webhookUrl: null };
  }

  /**
   * Changes the given settings only, read and written in one transaction so concurrent changes of
   * different settings both hold. A webhook on a private address needs `allowPrivateWebhook`.
   */
  configure(accountId: string, change: AlertSettingsChange, allowPrivateWebhook = false): AlertSettings {
    return this.sql.transaction(() => this.write(accountId, change, allowPrivateWebhook));
  }

  private write(accountId: string, change: AlertSettingsChange, allowPrivateWebhook: boolean): AlertSettings {
    const next = { ...this.settings(accountId) };
    if (change.lowBalanceMicrodollars !== undefined) {
      if (!Number.isSafeInteger(change.lowBalanceMicrodollars) || change.lowBalanceMicrodollars < 0) {
        throw new AppError('bad_request', 'the low-balance threshold is a whole number of microdollars, 0 or more', {
          path: 'lowBalanceMicrodollars',
        });
      }
      next.lowBalanceMicrodollars = change.lowBalanceMicrodollars;
    }
    if (change.webhookUrl !== undefined) {
      next.webhookUrl = change.webhookUrl === null ? null : checkWebhookUrl(change.webhookUrl, allowPrivateWebhook);
    }
    // A moved threshold re-arms the low-balance alert unless the balance is still below it (as a budget
    // cap keeps what it still crosses): the next entry below the new threshold then raises one.
    const balance = accountBalance(this.sql, accountId);
    this.sql.run(
      `INSERT INTO account_settings (account_id, low_balance_microdollars, webhook_url) VALUES (?, ?, ?)
       ON CONFLICT (account_id) DO UPDATE SET low_balance_microdollars = excluded.low_balance_microdollars, webhook_url = excluded.webhook_url,
         low_alerted = low_alerted AND ? < excluded.low_balance_microdollars`,
      accountId,
      next.lowBalanceMicrodollars,
      next.webhookUrl,
      balance,
    );
    return next;
  }

  /**
   * Called by the ledger for every entry, inside its transaction. The first entry that leaves the
   * balance below the threshold raises one alert (also for an account that was never above it, such
   * as a small trial grant); the next one is raised only after an entry took the balance back to or
   * above the threshold, or the threshold was moved to or below the balance (configure).
   */
  balanceMoved(accountId: string, after: number, entrySeq: number, at: number): void {
    const row = this.sql.rows(
      'SELECT low_balance_microdollars, low_alerted FROM account_settings WHERE account_id = ?',
      accountId,
    )[0];
    const threshold = (row?.[0] as number | undefined) ?? DEFAULT_LOW_BALANCE_MICRODOLLARS;
    const alerted = row?.[1] === 1;
    const low = after < threshold;
    if (low === alerted) return;
    if (low) {
      this.raise(`low_balance:${entrySeq}`, accountId, null, 'low_balance', at, {
        balanceMicrodollars: after,
        thresholdMicrodollars: threshold,
      });
    }
    this.sql.run(
      `INSERT INTO account_settings (account_id, low_balance_microdollars, low_alerted) VALUES (?, ?, ?)
       ON CONFLICT (account_id) DO UPDATE SET low_alerted = excluded.low_alerted`,
      accountId,
      threshold,
      low ? 1 : 0,
    );
  }

  /**
   * Records the alert unless its key is known; returns whether it was new. A new one past
   * MAX_ALERTS_PER_ACCOUNT deletes the account's oldest (delivered or not). Its key goes with it, so
   * only a re-post of that same crossing after 1,000 newer ones could raise it twice.
   */
  raise(key: string, accountId: string, townId: string | null, kind: AlertKind, at: number, details: JsonFields): boolean {
    const webhook = this.settings(accountId).webhookUrl;
    const raised =
      this.sql.run(
        `INSERT INTO alerts (key, account_id, town_id, kind, at, body, delivery, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (key) DO NOTHING`,
        key,
        accountId,
        townId,
        kind,
        at,
        JSON.stringify(details),
        webhook ? 'pending' : 'none',
        webhook ? at : null,
      ) > 0;
    if (raised) {
      this.sql.run(
        `DELETE FROM alerts WHERE account_id = ? AND id <=
           (SELECT id FROM alerts WHERE account_id = ? ORDER BY id DESC LIMIT 1 OFFSET ${MAX_ALERTS_PER_ACCOUNT})`,
        accountId,
        accountId,
      );
    }
    return raised;
  }

  /** Newest first. */
  list(accountId: string, limit: number): Alert[] {
    const n = Math.max(1, Math.min(MAX_ALERT_PAGE, Math.floor(limit)));
    return this.sql
      .all<AlertRow>(`SELECT * FROM alerts WHERE account_id = ? ORDER BY id DESC LIMIT ${n}`, accountId)
      .map(toAlert);
  }

  /**
   * Alerts whose next webhook attempt is due, with the account's webhook as it is now, taken in turn
   * across accounts: every account's oldest, then every account's second, and so on, at most
   * `perAccount` of one account and `limit` in all, so an account with many alerts cannot take every
   * place. Alerts in `skipAlerts` (being delivered) and accounts in `skipAccounts` (at their share)
   * are left out.
   */
  due(
    now: number,
    limit: number,
    o: { perAccount?: number; skipAlerts?: readonly number[]; skipAccounts?: readonly string[] } = {},
  ): DueAlert[] {
    return this.sql
      .all<AlertRow & { webhook_url: string | null }>(
        `SELECT * FROM (
           SELECT alerts.*, s.webhook_url,
             ROW_NUMBER() OVER (PARTITION BY alerts.account_id ORDER BY alerts.next_attempt_at, alerts.id) AS turn
           FROM alerts LEFT JOIN account_settings s ON s.account_id = alerts.account_id
           WHERE alerts.delivery = 'pending' AND alerts.next_attempt_at <= ?
             AND alerts.id NOT IN (SELECT value FROM json_each(?))
             AND alerts.account_id NOT IN (SELECT value FROM json_each(?))
         ) WHERE turn <= ? ORDER BY turn, next_attempt_at, id LIMIT ?`,
        now,
        JSON.stringify(o.skipAlerts ?? []),
        JSON.stringify(o.skipAccounts ?? []),
        Math.floor(o.perAccount ?? limit),
        Math.floor(limit),
      )
      .map((r) => ({ alert: toAlert(r), webhookUrl: r.webhook_url ?? '' }));
  }

  delivered(id: number, now: number): void {
    this.sql.run(
      "UPDATE alerts SET delivery = 'delivered', attempts = attempts + 1, delivered_at = ?, next_attempt_at = NULL, last_error = NULL WHERE id = ?",
      now,
      id,
    );
  }

  /** A failed attempt: try again at `retryAt`, or give up (null). */
  attemptFailed(id: number, error: string, retryAt: number | null): void {
    this.sql.run(
      `UPDATE alerts SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?,
         delivery = CASE WHEN ? IS NULL THEN 'failed' ELSE 'pending' END WHERE id = ?`,
      error.slice(0, 300),
      retryAt,
      retryAt,
      id,
    );
  }

  /** An alert that can no longer be delivered (the webhook was removed): shown in the API only. */
  undeliverable(id: number): void {
    this.sql.run("UPDATE alerts SET delivery = 'none', next_attempt_at = NULL WHERE id = ?", id);
  }
}

interface AlertRow {
  id: number;
  account_id: string;
  town_id: string | null;
  kind: AlertKind;
  at: number;
  body: string;
  delivery: Delivery;
  attempts: number;
  delivered_at: number | null;
  last_error: string | null;
}
const toAlert = (r: AlertRow): Alert => ({
  id: r.id,
  kind: r.kind,
  accountId: r.account_id,
  townId: r.town_id,
  at: r.at,
  details: JSON.parse(r.body) as JsonFields,
  delivery: r.delivery,
  attempts: r.attempts,
  deliveredAt: r.delivered_at,
  lastError: r.last_error,
});
