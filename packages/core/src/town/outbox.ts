import type { JsonFields } from '../json.js';
import type { Sql } from '../sql.js';
import { slotStart } from './tiers.js';

/**
 * A town closes its unbilled cost into debits at most once per billing period (on the first tick of
 * each minute with new cost): one debit per hour of event time that gained cost, so an account's
 * ledger gets about one entry per town and minute while it works.
 */
export const BILLING_PERIOD_MS = 60_000;
/**
 * A town debits its spend per hour of event time; an hour billed after it ended is dated at its last millisecond
 * (closeBilling), which the ledger's burn reads as spent over that hour (Ledger.debitedSince).
 */
export const BILLED_HOUR_MS = 3_600_000;

/** What a town owes its account, or a budget crossing or runaway episode to alert on; posted by the host with key (town, seq). */
export interface OutboxEntry {
  /** Never reused, also after the entry is deleted: part of the idempotency key. */
  seq: number;
  kind: 'debit' | 'budget' | 'runaway';
  at: number;
  /** debit: the running total of the hour's cost (the account debits the increase); budget, runaway: 0. */
  amountMicrodollars: number;
  details: JsonFields | null;
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

/**
 * In the tick's transaction, once per billing period: every 1-hour slot from the earliest unbilled
 * event time that holds more cost than was billed becomes one outbox entry with the hour's running
 * total, dated at the end of that hour (now, for the current one); the account debits the increase. So a backfill of last week's transcripts is debited at
 * last week's times and does not inflate the current burn, and a late record adds to its own hour.
 */
export function closeBilling(sql: Sql, now: number): void {
  const [from, billedAt] = sql.rows('SELECT unbilled_from, billed_at FROM town_state WHERE id = 1')[0] as [
    number | null,
    number | null,
  ];
  if (from === null) return;
  // Once per billing period; a billing time ahead of now (the clock was set back, say from a wrong year)
  // must not hold every debit until the clock passes it again.
  if (billedAt !== null && billedAt <= now && slotStart(now, BILLING_PERIOD_MS) <= slotStart(billedAt, BILLING_PERIOD_MS)) return;
  const hours = sql.rows(
    `SELECT r.t, r.cost_microdollars
     FROM rollup_1h r LEFT JOIN billed_1h b ON b.t = r.t
     WHERE r.t >= ? AND r.cost_microdollars > COALESCE(b.billed_microdollars, 0) ORDER BY r.t`,
    slotStart(from, BILLED_HOUR_MS),
  ) as [number, number, number][];
  for (const [t, cost] of hours) {
    appendOutbox(sql, 'debit', Math.min(now, t + BILLED_HOUR_MS - 1), cost, { hour: t });
    sql.run('INSERT OR REPLACE INTO billed_1h (t, billed_microdollars) VALUES (?, ?)', t, cost);
  }
  sql.run('UPDATE town_state SET unbilled_from = NULL, billed_at = ? WHERE id = 1', now);
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
    details: details === null ? null : (JSON.parse(details) as JsonFields),
  }));
}

/** After the account has recorded them: the entries up to `seq` are done. */
export function ackOutbox(sql: Sql, seq: number): void {
  sql.run('DELETE FROM outbox WHERE seq <= ?', seq);
}
