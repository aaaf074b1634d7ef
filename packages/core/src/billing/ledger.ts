import { longerThan } from '../chars.js';
import { AppError } from '../errors.js';
import type { Sql } from '../sql.js';
import { BILLED_HOUR_MS as HOUR_MS } from '../town/outbox.js';
import type { Alerts } from './alerts.js';
import { accountBalance } from './balance.js';

/** One million dollars: a grant above this is a typo, not a top-up. */
export const MAX_GRANT_MICRODOLLARS = 1_000_000_000_000;
/**
 * One billion dollars: grants never take a balance above this, so it stays far below 2^53 µ$
 * (about $9 billion), where sums stop being exact. Debits are spend that already happened and are
 * never refused; it would take $10 billion of them net of grants (100,000 town-hours at the ingest's
 * hour bound) to leave the exact range, and then the ledger refuses the entry rather than round it.
 */
export const MAX_BALANCE_MICRODOLLARS = 1_000_000_000_000_000;
export const MAX_NOTE_LENGTH = 500;
export const MAX_LEDGER_PAGE = 500;

export interface LedgerEntry {
  seq: number;
  accountId: string;
  at: number;
  kind: 'grant' | 'debit';
  /** Signed: a grant adds, a debit (negative) takes away. */
  amountMicrodollars: number;
  balanceAfterMicrodollars: number;
  townId: string | null;
  note: string | null;
}

export interface LedgerPage {
  entries: LedgerEntry[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextCursor: number | null;
}

/**
 * One ledger per account (a user's or an organisation's id), in integer microdollars. The balance is
 * the running sum of the entries, stored on each entry as it is appended (in the same transaction),
 * so it is read in one index step and can always be checked against SUM(amount). A debit posted again (a
 * retried settle after a crash) is a no-op: an hour's debit carries an idempotency key, and every hour's total
 * is checked against what it was debited (billed_hours), the one guard of an entry for several old hours.
 */
export class Ledger {
  constructor(
    private readonly sql: Sql,
    private readonly alerts: Alerts,
  ) {}

  grant(accountId: string, amountMicrodollars: number, at: number, note?: string): LedgerEntry {
    if (!Number.isSafeInteger(amountMicrodollars) || amountMicrodollars <= 0 || amountMicrodollars > MAX_GRANT_MICRODOLLARS) {
      throw new AppError('bad_request', `a grant is a whole number of microdollars from 1 to ${MAX_GRANT_MICRODOLLARS}`, {
        path: 'amountMicrodollars',
      });
    }
    if (note !== undefined && longerThan(note, MAX_NOTE_LENGTH)) {
      throw new AppError('bad_request', `a note is at most ${MAX_NOTE_LENGTH} characters`, { path: 'note' });
    }
    return this.sql.transaction(() => {
      const balance = this.balance(accountId);
      if (balance + amountMicrodollars > MAX_BALANCE_MICRODOLLARS) {
        throw new AppError(
          'bad_request',
          `a grant may not take the balance above ${MAX_BALANCE_MICRODOLLARS} microdollars; it is ${balance}`,
          { path: 'amountMicrodollars' },
        );
      }
      return this.append({
        accountId,
        at,
        kind: 'grant',
        amount: amountMicrodollars,
        key: null,
        townId: null,
        note: note ?? null,
      });
    });
  }

  /**
   * Debits `costMicrodollars` (> 0) once per `key`. Returns the entry, or undefined when the key was
   * already posted. A debit may take the balance below zero: spend already happened.
   */
  debit(accountId: string, key: string, costMicrodollars: number, at: number, townId: string): LedgerEntry | undefined {
    if (!Number.isSafeInteger(costMicrodollars) || costMicrodollars <= 0) {
      throw new AppError('internal', `a debit is a positive whole number of microdollars, not ${costMicrodollars}`);
    }
    return this.sql.transaction(() => {
      if (this.sql.rows('SELECT 1 FROM ledger WHERE idempotency_key = ?', key).length > 0) return undefined;
      return this.append({ accountId, at, kind: 'debit', amount: -costMicrodollars, key, townId, note: null });
    });
  }

  /**
   * Debits a town's hour of spend given as its running total: only the increase over what that hour
   * was debited before, so posting the same or an older total again is a no-op. Returns the entry, or
   * undefined when there was nothing new.
   */
  debitHour(accountId: string, townId: string, hour: number, hourTotal: number, at: number): LedgerEntry | undefined {
    return this.sql.transaction(() => {
      const increase = this.raiseBilledHour(townId, hour, hourTotal);
      if (increase === 0) return undefined;
      return this.debit(accountId, `town:${townId}:${hour}:${hourTotal}`, increase, at, townId);
    });
  }

  /**
   * Debits several of a town's hours, given as running totals as in debitHour, as one entry at `at` (the sum of
   * their increases), or none when nothing is new. Its only idempotency is billed_hours, raised in the same
   * transaction: posted again, every increase is 0. One entry, however many hours: an ingest token spreading
   * 1 µ$ records over thousands of past hours had every settle append a ledger row per hour (2 MB a minute).
   */
  debitHours(
    accountId: string,
    townId: string,
    hours: readonly { hour: number; total: number }[],
    at: number,
  ): LedgerEntry | undefined {
    return this.sql.transaction(() => {
      let increase = 0;
      for (const h of hours) increase += this.raiseBilledHour(townId, h.hour, h.total);
      if (increase === 0) return undefined;
      return this.append({ accountId, at, kind: 'debit', amount: -increase, key: null, townId, note: null });
    });
  }

  /** Records that a town's hour was debited up to `total`; what that adds to what it was debited before (0: nothing). */
  private raiseBilledHour(townId: string, hour: number, total: number): number {
    const billed = (this.sql.rows(
      'SELECT billed_microdollars FROM billed_hours WHERE town_id = ? AND hour = ?',
      townId,
      hour,
    )[0]?.[0] ?? 0) as number;
    if (total <= billed) return 0;
    this.sql.run(
      `INSERT INTO billed_hours (town_id, hour, billed_microdollars) VALUES (?, ?, ?)
       ON CONFLICT (town_id, hour) DO UPDATE SET billed_microdollars = excluded.billed_microdollars`,
      townId,
      hour,
      total,
    );
    return total - billed;
  }

  balance(accountId: string): number {
    return accountBalance(this.sql, accountId);
  }

  /**
   * In how many distinct minutes of (from, to] something was debited (a burn sustained, or one burst), and the most
   * debited in one of them (a catch-up: spend that arrived late, all debited in one minute).
   */
  debitMinutes(accountId: string, from: number, to: number): { minutes: number; largest: number } {
    const [minutes, largest] = this.sql.rows(
      `SELECT COUNT(*), COALESCE(MAX(spent), 0) FROM (
         SELECT -SUM(amount_microdollars) AS spent FROM ledger
         WHERE account_id = ? AND kind = 'debit' AND at > ? AND at <= ? GROUP BY at / 60000
       )`,
      accountId,
      from,
      to,
    )[0] as [number, number];
    return { minutes, largest };
  }

  /**
   * Spend debited with a time in (from, to], for each `from` (one pass over the earliest one's range).
   *
   * With `spread`, a debit dated at an hour's last millisecond counts by the share of its hour inside the window:
   * it is an hour's spend debited after that hour ended (a town dates it so, town/outbox.ts closeBilling: a
   * backfill, a reporter back from an outage, the demo's history), spent over the hour, not at its end. Counted
   * whole, the hour before the current one fell whole in every rolling hour that ends in the current one: a rolling
   * hour after a catch-up held up to two hours of spend, and the runway read half what it was.
   */
  debitedSince(accountId: string, froms: readonly number[], to: number, spread = false): number[] {
    const share = spread
      ? ` * (CASE WHEN at % ${HOUR_MS} = ${HOUR_MS - 1} THEN MIN(1.0, (at + 1 - ?) / ${HOUR_MS}.0) ELSE 1 END)`
      : '';
    // Rounded only when spread: ROUND gives a REAL, and an integer sum kept whole stays exact.
    const sum = `COALESCE(-SUM(CASE WHEN at > ? THEN amount_microdollars${share} END), 0)`;
    const row = this.sql.rows(
      `SELECT ${froms.map(() => (spread ? `CAST(ROUND(${sum}) AS INTEGER)` : sum)).join(', ')}
       FROM ledger WHERE account_id = ? AND kind = 'debit' AND at > ? AND at <= ?`,
      ...froms.flatMap((from) => (spread ? [from, from] : [from])),
      accountId,
      Math.min(...froms),
      to,
    )[0] as number[];
    return row;
  }

  /** Newest entries first, `limit` at a time; `before` is the previous page's nextCursor. */
  entries(accountId: string, limit: number, before?: number): LedgerPage {
    const n = Math.max(1, Math.min(MAX_LEDGER_PAGE, Math.floor(limit)));
    const rows = this.sql.all<EntryRow>(
      `SELECT * FROM ledger WHERE account_id = ? AND seq < ? ORDER BY seq DESC LIMIT ${n + 1}`,
      accountId,
      before ?? Number.MAX_SAFE_INTEGER,
    );
    const entries = rows.slice(0, n).map(toEntry);
    return { entries, nextCursor: rows.length > n ? (entries.at(-1)?.seq ?? null) : null };
  }

  private append(e: {
    accountId: string;
    at: number;
    kind: LedgerEntry['kind'];
    amount: number;
    key: string | null;
    townId: string | null;
    note: string | null;
  }): LedgerEntry {
    return this.sql.transaction(() => {
      const before = this.balance(e.accountId);
      const after = before + e.amount;
      if (!Number.isSafeInteger(after)) {
        throw new AppError('internal', `account ${e.accountId}: a balance of ${before} + ${e.amount} microdollars is not exact`);
      }
      const seq = this.sql.rows(
        `INSERT INTO ledger (account_id, at, kind, amount_microdollars, balance_after_microdollars, idempotency_key, town_id, note)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
        e.accountId,
        e.at,
        e.kind,
        e.amount,
        after,
        e.key,
        e.townId,
        e.note,
      )[0]?.[0] as number;
      this.alerts.balanceMoved(e.accountId, after, seq, e.at);
      return {
        seq,
        accountId: e.accountId,
        at: e.at,
        kind: e.kind,
        amountMicrodollars: e.amount,
        balanceAfterMicrodollars: after,
        townId: e.townId,
        note: e.note,
      };
    });
  }
}

interface EntryRow {
  seq: number;
  account_id: string;
  at: number;
  kind: LedgerEntry['kind'];
  amount_microdollars: number;
  balance_after_microdollars: number;
  town_id: string | null;
  note: string | null;
}
const toEntry = (r: EntryRow): LedgerEntry => ({
  seq: r.seq,
  accountId: r.account_id,
  at: r.at,
  kind: r.kind,
  amountMicrodollars: r.amount_microdollars,
  balanceAfterMicrodollars: r.balance_after_microdollars,
  townId: r.town_id,
  note: r.note,
});
