/**
 * Accounts in words: the gas tank, budget crossings, alerts and their delivery, and the ledger's
 * paging. Pure (no fetching, no React), so every case is tested without a browser.
 */
import type { BillingAlert, GasTank, LedgerEntry, LedgerPage } from '../../api/billing.js';
import type { OrgRole } from '../../api/orgs.js';
import {
  formatAgo,
  formatDurationLong,
  formatMoney,
  formatMoneyExact,
  formatMoneyPerHour,
  formatPercent,
} from '../../lib/format.js';

/** What the page knows about an account's gas tank. `hidden`: this user's role may not see it (403/404). */
export type TankState =
  | { status: 'loading' }
  | { status: 'hidden' }
  | { status: 'error'; error: Error }
  /** `stale`: the last refresh failed, so `tank` is an older answer (shown, and said to be). */
  | { status: 'ok'; tank: GasTank; stale?: Error };

/**
 * ok; low: under the account's low-balance line; empty: nothing left (a debit may take a balance below
 * zero); unfunded: a zero balance with nothing debited in 24 hours, as every new account starts — no
 * alarm to raise while nothing burns.
 */
export type TankLevel = 'ok' | 'low' | 'empty' | 'unfunded';

export function tankLevel(tank: GasTank): TankLevel {
  if (tank.balanceMicrodollars === 0 && tank.burn24hMicrodollarsPerHour === 0) return 'unfunded';
  return tank.balanceMicrodollars <= 0 ? 'empty' : tank.lowBalance ? 'low' : 'ok';
}

/** The colour of a level: red only for an empty tank that was burning. */
export function tankTone(level: TankLevel): 'ok' | 'warn' | 'danger' | 'neutral' {
  return level === 'empty' ? 'danger' : level === 'low' ? 'warn' : level === 'unfunded' ? 'neutral' : 'ok';
}

/** The flag shown beside the balance, when there is one. */
export function tankFlag(level: TankLevel): string | undefined {
  return level === 'ok' ? undefined : level === 'unfunded' ? 'no credits' : level;
}

/** "runs dry in 3 h 26 min" at the runway burn, "not burning", "no credits, nothing burning" or "empty". */
export function runwayText(tank: GasTank): string {
  if (tankLevel(tank) === 'unfunded') return 'no credits, nothing burning';
  if (tank.balanceMicrodollars <= 0) return 'empty';
  if (tank.secondsToEmpty === null) return 'not burning';
  return `runs dry in ${formatDurationLong(tank.secondsToEmpty * 1000)}`;
}

export interface TankFigures {
  level: TankLevel;
  /** Short ($7.75, $1.23k) for the gauge; exact ($1,234.50) for the billing page. */
  balance: string;
  balanceExact: string;
  burn: string;
  burn24h: string;
  /** The burn the runway is at: the hour's, or the last 10 minutes' when rising (see GasTank). */
  runwayBurn: string;
  rising: boolean;
  runway: string;
  threshold: string;
  /** One sentence with all of it, for screen readers. */
  sentence: string;
}

export function tankFigures(tank: GasTank): TankFigures {
  const level = tankLevel(tank);
  const burn = formatMoneyPerHour(tank.burnMicrodollarsPerHour);
  const runwayBurn = formatMoneyPerHour(tank.runwayBurnMicrodollarsPerHour);
  const rising = tank.runwayBurnMicrodollarsPerHour > tank.burnMicrodollarsPerHour;
  const runway = runwayText(tank);
  const threshold = formatMoney(tank.lowBalanceThresholdMicrodollars);
  const parts = [`${formatMoney(tank.balanceMicrodollars)} left`];
  if (level === 'empty') parts.push('empty');
  if (level === 'low') parts.push(`low balance (below ${threshold})`);
  if (tank.runwayBurnMicrodollarsPerHour > 0) {
    parts.push(`burning ${runwayBurn.replace('/h', ' per hour')}${rising ? ' over the last 10 minutes, rising' : ''}`);
  }
  if (level !== 'empty') parts.push(runway);
  return {
    level,
    balance: formatMoney(tank.balanceMicrodollars),
    balanceExact: formatMoneyExact(tank.balanceMicrodollars),
    burn,
    burn24h: formatMoneyPerHour(tank.burn24hMicrodollarsPerHour),
    runwayBurn,
    rising,
    runway,
    threshold,
    sentence: parts.join(', '),
  };
}

/** A Map: the period comes from the server as data. */
const PER = new Map([
  ['day', 'per day'],
  ['week', 'per week'],
  ['month', 'per month'],
]);

/** The fields of a budget crossing (an alert's details, a budget event's body), read by name. */
export type BudgetDetails = Partial<Record<'threshold' | 'capMicrodollars' | 'spentMicrodollars' | 'period', unknown>>;

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * "Budget 80 % reached: $4.00 of $5.00 per day" (with a town: "… reached in Gas Town: …"), from the
 * details of a budget event or alert; undefined when they are not a budget crossing.
 */
export function budgetCrossingText(details: BudgetDetails, townName?: string): string | undefined {
  const threshold = num(details.threshold);
  const cap = num(details.capMicrodollars);
  const spent = num(details.spentMicrodollars);
  if (threshold === undefined || cap === undefined || spent === undefined) return undefined;
  const period = typeof details.period === 'string' ? (PER.get(details.period) ?? `per ${details.period}`) : '';
  const where = townName ? ` in ${townName}` : '';
  return `Budget ${formatPercent(threshold)} reached${where}: ${formatMoney(spent)} of ${formatMoney(cap)}${period ? ` ${period}` : ''}`;
}

export type RunawayDetails = Partial<
  Record<
    | 'rule'
    | 'agentId'
    | 'beadId'
    | 'costMicrodollars'
    | 'limitMicrodollars'
    | 'windowMinutes'
    | 'minutes'
    | 'capMicrodollars'
    | 'percent',
    unknown
  >
>;

/**
 * "Runaway: polecat-1 spent $6.20 in 10 min (limit $5.00)", from the details of a runaway event or
 * alert (docs/api.md, runaway rules); undefined when they are not one.
 */
export function runawayText(d: RunawayDetails): string | undefined {
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const cost = num(d.costMicrodollars);
  const agent = str(d.agentId);
  const bead = str(d.beadId);
  if (d.rule === 'spendRate' && agent && cost !== undefined) {
    const limit = num(d.limitMicrodollars);
    const window = num(d.windowMinutes);
    return `Runaway: ${agent} spent ${formatMoney(cost)}${window === undefined ? '' : ` in ${window} min`}${limit === undefined ? '' : ` (limit ${formatMoney(limit)})`}`;
  }
  if (d.rule === 'noProgress' && agent && cost !== undefined) {
    const minutes = num(d.minutes);
    return `Runaway: ${agent} spent ${formatMoney(cost)}${minutes === undefined ? '' : ` in ${minutes} min`} without progress${bead ? ` on ${bead}` : ''}`;
  }
  if (d.rule === 'beadBudget' && bead) {
    const cap = num(d.capMicrodollars);
    const pct = num(d.percent);
    return `Bead budget: ${bead} reached ${pct === undefined ? 'its cap' : `${pct} %`}${cap === undefined ? '' : ` of ${formatMoney(cap)}`}${cost === undefined ? '' : ` (${formatMoney(cost)})`}`;
  }
  return undefined;
}

/** One alert in words; `townName` names the town of a budget alert when the user can see it. */
export function alertText(alert: BillingAlert, townName?: string): string {
  const d = alert.details;
  if (alert.kind === 'low_balance') {
    const balance = num(d.balanceMicrodollars);
    const threshold = num(d.thresholdMicrodollars);
    if (balance === undefined || threshold === undefined) return 'Low balance';
    return `Low balance: ${formatMoneyExact(balance)}, below ${formatMoney(threshold)}`;
  }
  if (alert.kind === 'runaway') return runawayText(d) ?? 'Runaway spend';
  return budgetCrossingText(d, townName ?? alert.townId ?? undefined) ?? 'Budget threshold reached';
}

export const ALERT_KIND: Record<BillingAlert['kind'], string> = {
  low_balance: 'low balance',
  budget: 'budget',
  runaway: 'runaway spend',
};

/** Where the alert's webhook delivery stands: the words and a tone. */
export function deliveryText(alert: BillingAlert, now: number): { text: string; tone: 'ok' | 'warn' | 'danger' | 'neutral' } {
  const attempts = `${alert.attempts} attempt${alert.attempts === 1 ? '' : 's'}`;
  switch (alert.delivery) {
    case 'none':
      return { text: 'not sent: no webhook', tone: 'neutral' };
    case 'pending':
      return alert.attempts === 0 ? { text: 'sending', tone: 'neutral' } : { text: `retrying after ${attempts}`, tone: 'warn' };
    case 'delivered':
      return { text: alert.deliveredAt === null ? 'delivered' : `delivered ${formatAgo(now - alert.deliveredAt)}`, tone: 'ok' };
    case 'failed':
      return { text: `failed after ${attempts}`, tone: 'danger' };
  }
}

/** Whether an organisation role may read the ledger and alerts (the server decides; this only saves a refused request). */
export function mayReadLedger(role: OrgRole | null): boolean {
  return role === null || role === 'owner' || role === 'admin' || role === 'billing_manager';
}

/** The ledger entries loaded so far, newest first; `nextCursor` fetches the ones before the oldest. */
export interface LedgerState {
  loaded: boolean;
  entries: LedgerEntry[];
  nextCursor: number | null;
}

export const EMPTY_LEDGER: LedgerState = { loaded: false, entries: [], nextCursor: null };

function union(a: LedgerEntry[], b: LedgerEntry[]): LedgerEntry[] {
  const bySeq = new Map<number, LedgerEntry>();
  for (const e of [...a, ...b]) bySeq.set(e.seq, e);
  return [...bySeq.values()].sort((x, y) => y.seq - x.seq);
}

/**
 * A fresh newest page. Entries never change once written, so what was loaded stays, unless the new
 * page does not reach it (more new entries than a page since the last look): then the list starts
 * again from the new page, because it could not show what lies in between.
 */
export function mergeNewest(state: LedgerState, page: LedgerPage): LedgerState {
  if (!state.loaded) return { loaded: true, entries: page.entries, nextCursor: page.nextCursor };
  const newestKnown = state.entries[0]?.seq;
  const pageOldest = page.entries.at(-1)?.seq;
  const reaches =
    page.nextCursor === null || (pageOldest !== undefined && newestKnown !== undefined && pageOldest <= newestKnown);
  if (!reaches) return { loaded: true, entries: page.entries, nextCursor: page.nextCursor };
  const stateOldest = state.entries.at(-1)?.seq ?? Number.POSITIVE_INFINITY;
  const olderInPage = (pageOldest ?? Number.POSITIVE_INFINITY) < stateOldest;
  return {
    loaded: true,
    entries: union(page.entries, state.entries),
    nextCursor: olderInPage ? page.nextCursor : state.nextCursor,
  };
}

/** The page before the oldest loaded entry ("Older"). */
export function mergeOlder(state: LedgerState, page: LedgerPage): LedgerState {
  return { loaded: true, entries: union(state.entries, page.entries), nextCursor: page.nextCursor };
}
