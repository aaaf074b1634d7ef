import {
  type ChangeBudget,
  changeBudgetOf,
  DEFAULT_CHANGE_BUDGET_BURST,
  DEFAULT_CHANGE_BUDGET_PER_MINUTE,
  MAX_CHANGE_BUDGET_BURST,
  MAX_CHANGE_BUDGET_PER_MINUTE,
} from '@gasgauge/api';

/** A whole number from a var within [min, max], else `fallback` (a var unset, empty or not a sane number). */
function varIn(value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : fallback;
}

/**
 * The change budget from the `CHANGE_BUDGET_BURST` and `CHANGE_BUDGET_PER_MIN` vars, as `gasgauge serve
 * --change-budget` and `--change-budget-per-min` (tests raise or lower it); each its default unless a sane number,
 * and `CHANGE_BUDGET_PER_MIN` 0 is no budget.
 */
export function changeBudgetFromVars(burst: string | undefined, perMin: string | undefined): ChangeBudget | undefined {
  return changeBudgetOf(
    varIn(burst, DEFAULT_CHANGE_BUDGET_BURST, 1, MAX_CHANGE_BUDGET_BURST),
    varIn(perMin, DEFAULT_CHANGE_BUDGET_PER_MINUTE, 0, MAX_CHANGE_BUDGET_PER_MINUTE),
  );
}
