import type { Sql } from '../sql.js';

/** An account's balance: its newest ledger entry's running balance (0 without one), one index step. */
export function accountBalance(sql: Sql, accountId: string): number {
  const row = sql.rows(
    'SELECT balance_after_microdollars FROM ledger WHERE account_id = ? ORDER BY seq DESC LIMIT 1',
    accountId,
  )[0];
  return (row?.[0] as number | undefined) ?? 0;
}
