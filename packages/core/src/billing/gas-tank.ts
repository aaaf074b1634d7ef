import type { Control } from '../control/control.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** How much is left in an account, how fast it burns and when it runs dry. */
export interface GasTank {
  accountId: string;
  balanceMicrodollars: number;
  /** Debits over the rolling hour (now − 1 h, now]. */
  burnMicrodollarsPerHour: number;
  /** Debits over the last 24 hours, per hour: the second, steadier figure. */
  burn24hMicrodollarsPerHour: number;
  /** At the rolling hour's burn; null when nothing burns, 0 when the tank is already empty. */
  secondsToEmpty: number | null;
  lowBalance: boolean;
  lowBalanceThresholdMicrodollars: number;
  asOf: number;
}

/** The burn figures from a balance and what was debited over the last hour and day. Pure, so the cases are checked by hand. */
export function burnFigures(
  balance: number,
  debitedLastHour: number,
  debitedLastDay: number,
): Pick<GasTank, 'burnMicrodollarsPerHour' | 'burn24hMicrodollarsPerHour' | 'secondsToEmpty'> {
  const burn = debitedLastHour;
  return {
    burnMicrodollarsPerHour: burn,
    burn24hMicrodollarsPerHour: Math.round(debitedLastDay / 24),
    // BigInt: balance × 3600 passes 2^53 above about $2.5M.
    secondsToEmpty: burn <= 0 ? null : balance <= 0 ? 0 : Number((BigInt(balance) * 3600n) / BigInt(burn)),
  };
}

export function gasTank(control: Control, accountId: string, now: number): GasTank {
  const balance = control.ledger.balance(accountId);
  const threshold = control.alerts.settings(accountId).lowBalanceMicrodollars;
  return {
    accountId,
    balanceMicrodollars: balance,
    ...burnFigures(balance, ...(control.ledger.debitedSince(accountId, [now - HOUR_MS, now - DAY_MS], now) as [number, number])),
    lowBalance: balance < threshold,
    lowBalanceThresholdMicrodollars: threshold,
    asOf: now,
  };
}
