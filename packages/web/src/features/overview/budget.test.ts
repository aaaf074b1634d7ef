import { describe, expect, it } from 'vitest';
import type { Budget } from '../../api/billing.js';
import { budgetLine } from './budget.js';

const DAY = 86_400_000;
const start = Date.UTC(2026, 10, 25);
const budget = (spent: number, over: Partial<Budget> = {}): Budget => ({
  period: 'day',
  capMicrodollars: 5_000_000,
  tz: 'UTC',
  periodStart: start,
  periodEnd: start + DAY,
  spentMicrodollars: spent,
  usedFraction: spent / 5_000_000,
  ...over,
});
const now = start + 20 * 3_600_000 + 40 * 60_000;

describe('budgetLine', () => {
  it('says what was spent of the cap this period, calm under 80 %', () => {
    expect(budgetLine(budget(1_000_000), now, 'UTC')).toEqual({
      text: 'Budget: $1.00 of $5.00 today (20 %)',
      spent: '$1.00 of $5.00 today (20 %)',
      detail: 'resets in 3 h 20 min',
      flag: null,
      tone: 'ok',
      fraction: 0.2,
    });
  });

  it('warns from 80 % and alarms from 100 %, in words as well as colour', () => {
    expect(budgetLine(budget(4_100_000), now, 'UTC')).toMatchObject({
      text: 'Budget: $4.10 of $5.00 today (82 %)',
      tone: 'warn',
      flag: '80 % reached',
    });
    expect(budgetLine(budget(3_999_999), now, 'UTC').tone).toBe('ok');
    expect(budgetLine(budget(5_000_000), now, 'UTC')).toMatchObject({ tone: 'danger', flag: 'budget used up' });
    expect(budgetLine(budget(6_000_000), now, 'UTC')).toMatchObject({
      text: 'Budget: $6.00 of $5.00 today (120 %)',
      tone: 'danger',
      flag: 'over budget',
      fraction: 1.2,
    });
  });

  it('names the period, and its zone when it is not the browser zone', () => {
    const week = budget(1_000_000, { period: 'week', tz: 'Europe/Berlin', periodEnd: now + 2 * DAY });
    expect(budgetLine(week, now, 'America/Los_Angeles')).toMatchObject({
      text: 'Budget: $1.00 of $5.00 this week (20 %)',
      detail: 'resets in 2 d (weeks from Monday in Europe/Berlin)',
    });
    expect(budgetLine(budget(0, { period: 'month' }), now, 'Asia/Tokyo').detail).toBe('resets in 3 h 20 min (months in UTC)');
  });
});
