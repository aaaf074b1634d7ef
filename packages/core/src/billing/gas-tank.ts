import type { Control } from '../control/control.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** How much is left in an account, how fast it burns and when it runs dry. */
export interface GasTank {
  accountId: string;
  balanceMicrodollars: number;
  /** Debits over the rolling hour (now − 1 h, now]; a past hour debited after it ended counts by its share inside. */
  burnMicrodollarsPerHour: number;
  /** Debits over the last 24 hours, per hour: the second, steadier figure. */
  burn24hMicrodollarsPerHour: number;
  /**
   * The burn `secondsToEmpty` uses: the rolling hour's, or the last 10 minutes' (per hour, less their largest
   * minute) when that is more than RISING_BURN times higher and sustained (debits in at least RISING_MINUTES of
   * them), so a runaway shows in the runway within minutes instead of over the hour, and neither one expensive
   * message nor a catch-up (late spend debited in one minute) does.
   */
  runwayBurnMicrodollarsPerHour: number;
  /** At the runway burn; null when nothing burns, 0 when the tank is already empty. */
  secondsToEmpty: number | null;
  lowBalance: boolean;
  lowBalanceThresholdMicrodollars: number;
  asOf: number;
}

/**
 * How much faster the last 10 minutes must burn than the hour for the runway to use them. Not 1: towns are debited
 * once a minute, so a steady burn's 10-minute window holds 9 to 11 debits and would swing the runway by 10 %.
 */
export const RISING_BURN = 1.25;
/** Of the last 10 minutes, how many must have a debit for their burn to count as sustained (see runwayBurn). */
export const RISING_MINUTES = 5;

/** What was debited over the last 10 minutes, hour and day, in how many of the 10 minutes, and most in one. */
export interface Debited {
  tenMinutes: number;
  /** Distinct minutes of the last 10 with a debit (towns are debited at most once a minute each). */
  tenMinutesDebited: number;
  /** The most debited in one of those minutes. */
  tenMinutesLargest: number;
  hour: number;
  day: number;
}

/** The burn figures from a balance and what was debited. Pure, so the cases are checked by hand. */
export function burnFigures(
  balance: number,
  debited: Debited,
): Pick<GasTank, 'burnMicrodollarsPerHour' | 'burn24hMicrodollarsPerHour' | 'runwayBurnMicrodollarsPerHour' | 'secondsToEmpty'> {
  // Without their largest minute: a reporter back from an outage, or the demo's history, has the spend of the
  // hour so far debited in one minute, which is no faster burn; a runaway raises every minute alike.
  const recent = Math.round(((debited.tenMinutes - debited.tenMinutesLargest) * 60) / 9);
  const burn = recent > debited.hour * RISING_BURN && debited.tenMinutesDebited >= RISING_MINUTES ? recent : debited.hour;
  return {
    burnMicrodollarsPerHour: debited.hour,
    burn24hMicrodollarsPerHour: Math.round(debited.day / 24),
    runwayBurnMicrodollarsPerHour: burn,
    // BigInt: balance × 3600 passes 2^53 above about $2.5M.
    secondsToEmpty: burn <= 0 ? null : balance <= 0 ? 0 : Number((BigInt(balance) * 3600n) / BigInt(burn)),
  };
}

export function gasTank(control: Control, accountId: string, now: number): GasTank {
  const balance = control.ledger.balance(accountId);
  const threshold = control.alerts.settings(accountId).lowBalanceMicrodollars;
  // The hour and the day count a past hour debited after it ended by its share inside them; the 10 minutes count
  // it whole, as their largest minute, which burnFigures leaves out.
  const [tenMinutes] = control.ledger.debitedSince(accountId, [now - 10 * MINUTE_MS], now) as [number];
  const [hour, day] = control.ledger.debitedSince(accountId, [now - HOUR_MS, now - DAY_MS], now, true) as [number, number];
  const minutes = tenMinutes > 0 ? control.ledger.debitMinutes(accountId, now - 10 * MINUTE_MS, now) : { minutes: 0, largest: 0 };
  return {
    accountId,
    balanceMicrodollars: balance,
    ...burnFigures(balance, {
      tenMinutes,
      tenMinutesDebited: minutes.minutes,
      tenMinutesLargest: minutes.largest,
      hour,
      day,
    }),
    lowBalance: balance < threshold,
    lowBalanceThresholdMicrodollars: threshold,
    asOf: now,
  };
}
