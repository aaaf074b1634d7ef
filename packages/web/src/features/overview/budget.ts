import type { Budget } from '../../api/billing.js';
import { formatDurationLong, formatMoney, formatPercent } from '../../lib/format.js';
import type { Tone } from './gauges.js';

/** Amber from 80 % of the cap, red from 100 %: the thresholds at which the server records budget events. */
export const BUDGET_WARN = 0.8;
export const BUDGET_DANGER = 1;

/** A Map: the period comes from the server as data. */
const NOW_WORDS = new Map([
  ['day', 'today'],
  ['week', 'this week'],
  ['month', 'this month'],
]);

export interface BudgetLine {
  /** "Budget: $4.10 of $5.00 today (82 %)" */
  text: string;
  /** The same without "Budget: ": "$4.10 of $5.00 today (82 %)". */
  spent: string;
  /** When the period resets (and in which zone, when it is not the browser's). */
  detail: string;
  /** Says in words what the colour says; null while under 80 %. */
  flag: string | null;
  tone: Tone;
  /** Of the cap, for the bar (may pass 1). */
  fraction: number;
}

/** The town's budget line under the gauges, from the live throughput's budget. */
export function budgetLine(b: Budget, now: number, localTz: string): BudgetLine {
  const fraction = b.usedFraction;
  const when = NOW_WORDS.get(b.period) ?? `this ${b.period}`;
  const zone = b.tz === localTz ? '' : ` (${b.period === 'week' ? 'weeks from Monday' : `${b.period}s`} in ${b.tz})`;
  const spent = `${formatMoney(b.spentMicrodollars)} of ${formatMoney(b.capMicrodollars)} ${when} (${formatPercent(fraction)})`;
  return {
    text: `Budget: ${spent}`,
    spent,
    detail: `resets in ${formatDurationLong(b.periodEnd - now)}${zone}`,
    flag:
      fraction >= BUDGET_DANGER
        ? fraction > BUDGET_DANGER
          ? 'over budget'
          : 'budget used up'
        : fraction >= BUDGET_WARN
          ? '80 % reached'
          : null,
    tone: fraction >= BUDGET_DANGER ? 'danger' : fraction >= BUDGET_WARN ? 'warn' : 'ok',
    fraction,
  };
}
