import { AppError } from '../errors.js';
import type { Sql } from '../sql.js';
import { canonicalZone, localDay, localMidnight } from './calendar.js';
import { SYSTEM_EVENT_PREFIX } from './events.js';
import { appendOutbox } from './outbox.js';

export const BUDGET_PERIODS = ['day', 'week', 'month'] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];
/** Crossing each of these fractions of the cap records one budget event and one alert per period. */
export const BUDGET_THRESHOLDS = [0.8, 1] as const;

export interface BudgetInput {
  period: BudgetPeriod;
  capMicrodollars: number;
  /** IANA zone whose calendar the period follows (default UTC). */
  tz?: string | undefined;
}

export interface Budget {
  period: BudgetPeriod;
  capMicrodollars: number;
  tz: string;
  /** The current period: [periodStart, periodEnd). */
  periodStart: number;
  periodEnd: number;
  /** Spend in the current period so far, by event time. */
  spentMicrodollars: number;
  usedFraction: number;
}

const DAY = 86_400_000;

/** The local day, ISO week (from Monday) or month holding `now`, in `tz`. */
export function periodBounds(period: BudgetPeriod, tz: string, now: number): { start: number; end: number } {
  const day = localDay(now, tz);
  let first: number;
  let next: number;
  if (period === 'day') {
    first = day;
    next = day + 1;
  } else if (period === 'week') {
    first = day - ((day + 3) % 7); // 1970-01-01 was a Thursday
    next = first + 7;
  } else {
    const { year, month } = civilFromDays(day);
    first = Date.UTC(year, month - 1, 1) / DAY;
    next = Date.UTC(year, month, 1) / DAY;
  }
  return { start: localMidnight(first, tz), end: localMidnight(next, tz) };
}

/**
 * Sets (or with null, clears) the town's budget. Spend is counted by event time from the rollups, as
 * every other figure: a budget set at 3 pm counts the morning, and a backfill of yesterday's
 * transcripts counts against yesterday.
 */
export function setBudget(sql: Sql, input: BudgetInput | null, now: number): Budget | null {
  if (input === null) {
    sql.run('DELETE FROM budget');
    return null;
  }
  if (!Number.isSafeInteger(input.capMicrodollars) || input.capMicrodollars <= 0) {
    throw new AppError('bad_request', 'a budget cap is a whole number of microdollars above 0', { path: 'capMicrodollars' });
  }
  if (!(BUDGET_PERIODS as readonly string[]).includes(input.period)) {
    throw new AppError('bad_request', `period must be one of ${BUDGET_PERIODS.join(', ')}`, { path: 'period' });
  }
  const tz = canonicalZone(input.tz ?? 'UTC'); // one spelling, so `utc` and `UTC` are the same budget
  const { start } = periodBounds(input.period, tz, now);
  const old = budgetRow(sql);
  // Thresholds already announced this period stay announced while the new cap keeps them crossed: saving
  // the same cap again is no new crossing; a raised cap re-arms what it uncrosses; a lowered cap
  // announces what it newly crosses on the next tick.
  const announced = old && old.period === input.period && old.tz === tz && old.period_start === start ? old.level : 0;
  const level = Math.min(announced, crossedLevel(costSince(sql, start), input.capMicrodollars));
  sql.run(
    'INSERT OR REPLACE INTO budget (id, period, cap_microdollars, tz, period_start, level) VALUES (1, ?, ?, ?, ?, ?)',
    input.period,
    input.capMicrodollars,
    tz,
    start,
    level,
  );
  return readBudget(sql, now);
}

/** The highest threshold (as a percentage) that `spent` reaches under `cap`; 0 for none. */
function crossedLevel(spent: number, cap: number): number {
  let level = 0;
  for (const threshold of BUDGET_THRESHOLDS) {
    const percent = Math.round(threshold * 100);
    if (spent * 100 >= cap * percent) level = percent;
  }
  return level;
}

/** The budget and the spend of the period holding `now`. */
export function readBudget(sql: Sql, now: number): Budget | null {
  const row = budgetRow(sql);
  return row ? budgetAt(sql, row, now) : null;
}

function budgetRow(sql: Sql): BudgetRow | undefined {
  return sql.all<BudgetRow>('SELECT * FROM budget WHERE id = 1')[0];
}

function budgetAt(sql: Sql, row: BudgetRow, now: number): Budget {
  const { start, end } = periodBounds(row.period, row.tz, now);
  const spent = costSince(sql, start);
  return {
    period: row.period,
    capMicrodollars: row.cap_microdollars,
    tz: row.tz,
    periodStart: start,
    periodEnd: end,
    spentMicrodollars: spent,
    usedFraction: spent / row.cap_microdollars,
  };
}

/**
 * In the tick's transaction: records each threshold the current period crossed for the first time as
 * a `budget` town event plus an outbox entry (the host turns it into an alert for the owning account).
 * A new period starts with none crossed.
 */
export function evaluateBudget(sql: Sql, now: number): void {
  const row = budgetRow(sql);
  if (!row) return;
  const budget = budgetAt(sql, row, now);
  const announced = budget.periodStart === row.period_start ? row.level : 0;
  const crossed = crossedLevel(budget.spentMicrodollars, budget.capMicrodollars);
  for (const threshold of BUDGET_THRESHOLDS) {
    const percent = Math.round(threshold * 100);
    if (percent <= announced || percent > crossed) continue;
    const details = {
      threshold,
      period: budget.period,
      tz: budget.tz,
      periodStart: budget.periodStart,
      periodEnd: budget.periodEnd,
      capMicrodollars: budget.capMicrodollars,
      spentMicrodollars: budget.spentMicrodollars,
    };
    const seq = appendOutbox(sql, 'budget', now, 0, details);
    // A reserved id (reporters cannot send it); DO NOTHING all the same, so no event can ever fail the tick and stop billing.
    sql.run(
      "INSERT INTO events (id, at, type, status, body) VALUES (?, ?, 'budget', ?, ?) ON CONFLICT (id) DO NOTHING",
      `${SYSTEM_EVENT_PREFIX}budget:${seq}`,
      now,
      `${percent}%`,
      JSON.stringify({ type: 'budget', ...details }),
    );
  }
  sql.run('UPDATE budget SET period_start = ?, level = ? WHERE id = 1', budget.periodStart, Math.max(announced, crossed));
}

/**
 * Cost by event time from `from` on: whole hours from the 1-hour tier, the part before the first whole
 * hour from the 1-minute tier (a zone whose offset is not a whole hour, beyond the 1-minute tier's 30
 * days, misses that part).
 */
function costSince(sql: Sql, from: number): number {
  const hour = Math.ceil(from / 3_600_000) * 3_600_000;
  const [hours] = sql.rows('SELECT COALESCE(SUM(cost_microdollars), 0) FROM rollup_1h WHERE t >= ?', hour)[0] as [number];
  const [minutes] = sql.rows(
    'SELECT COALESCE(SUM(cost_microdollars), 0) FROM rollup_1m WHERE t >= ? AND t < ?',
    from,
    hour,
  )[0] as [number];
  return hours + minutes;
}

/** Proleptic Gregorian year and month (1–12) of a day count since 1970-01-01 (H. Hinnant's civil_from_days). */
function civilFromDays(days: number): { year: number; month: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month };
}

interface BudgetRow {
  period: BudgetPeriod;
  cap_microdollars: number;
  tz: string;
  period_start: number;
  level: number;
}
