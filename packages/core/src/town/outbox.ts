import type { Sql } from '../sql.js';
import { slotStart } from './tiers.js';

/**
 * A town closes its unbilled cost into a debit at most once per billing period (on the first tick of
 * each minute with new cost), so an account's ledger gets at most one entry per town and minute.
 */
export const BILLING_PERIOD_MS = 60_000;

/** What a town owes its account, or a budget crossing to alert on; posted by the host with key (town, seq). */
export interface OutboxEntry {
  /** Never reused, also after the entry is deleted: part of the idempotency key. */
  seq: number;
  kind: 'debit' | 'budget';
  at: number;
  /** debit: the cost closed (> 0); budget: 0. */
  amountMicrodollars: number;
  details: Record<string, unknown> | null;
}

export function appendOutbox(sql: Sql, kind: OutboxEntry['kind'], at: number, amount: number, details: object | null): number {
  const seq = sql.rows('UPDATE town_state SET outbox_seq = outbox_seq + 1 WHERE id = 1 RETURNING outbox_seq')[0]?.[0] as number;
  sql.run(
    'INSERT INTO outbox (seq, kind, at, amount_microdollars, details) VALUES (?, ?, ?, ?, ?)',
    seq,
    kind,
    at,
    amount,
    details === null ? null : JSON.stringify(details),
  );
  return seq;
}

/** In the tick's transaction: closes the cost ingested since the last debit into one, once per billing period. */
export function closeBilling(sql: Sql, now: number): void {
  const [total, billed, billedAt] = sql.rows(
    'SELECT cost_total_microdollars, billed_total_microdollars, billed_at FROM town_state WHERE id = 1',
  )[0] as [number, number, number | null];
  if (total <= billed) return;
  if (billedAt !== null && slotStart(now, BILLING_PERIOD_MS) <= slotStart(billedAt, BILLING_PERIOD_MS)) return;
  appendOutbox(sql, 'debit', now, total - billed, null);
  sql.run('UPDATE town_state SET billed_total_microdollars = ?, billed_at = ? WHERE id = 1', total, now);
}

export function pendingOutbox(sql: Sql): OutboxEntry[] {
  return (
    sql.rows('SELECT seq, kind, at, amount_microdollars, details FROM outbox ORDER BY seq') as [
      number,
      OutboxEntry['kind'],
      number,
      number,
      string | null,
    ][]
  ).map(([seq, kind, at, amountMicrodollars, details]) => ({
    seq,
    kind,
    at,
    amountMicrodollars,
    details: details === null ? null : (JSON.parse(details) as Record<string, unknown>),
  }));
}

/** After the account has recorded them: the entries up to `seq` are done. */
export function ackOutbox(sql: Sql, seq: number): void {
  sql.run('DELETE FROM outbox WHERE seq <= ?', seq);
}
