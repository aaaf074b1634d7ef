import { AppError } from '@gasgauge/core';
import { describe, expect, it } from 'vitest';
import { changeBudgetFromVars } from './change-budget.js';

/** How many changes in a row the budget lets one principal make (at most `max`), with no time passing between them. */
function burstOf(budget: ReturnType<typeof changeBudgetFromVars>, max = 10_000): number {
  if (!budget) return Number.POSITIVE_INFINITY;
  for (let n = 0; n < max; n++) {
    try {
      budget.spend('p');
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      return n;
    }
  }
  return max;
}

describe('CHANGE_BUDGET_BURST, CHANGE_BUDGET_PER_MIN (the Worker vars)', () => {
  it('are the defaults when unset, empty or not a sane whole number', () => {
    for (const bad of [undefined, '', ' ', 'abc', '0', '-1', '1.5', '1000001', '1e400'])
      expect(burstOf(changeBudgetFromVars(bad, '1')), `burst ${JSON.stringify(bad)}`).toBe(60);
    // A rate out of range is the default rate, not no budget.
    for (const bad of [undefined, '', 'abc', '-1', '0.5', '1000001'])
      expect(changeBudgetFromVars('3', bad), `rate ${JSON.stringify(bad)}`).toBeDefined();
  });

  it('set the burst; a rate of 0 is no budget', () => {
    expect(burstOf(changeBudgetFromVars('3', '1'))).toBe(3);
    expect(burstOf(changeBudgetFromVars('1000000', '1'), 2_000)).toBe(2_000);
    expect(changeBudgetFromVars('3', '0')).toBeUndefined();
  });
});
