import {
  type ChangeBudget,
  changeBudgetOf,
  DEFAULT_CHANGE_BUDGET_BURST,
  DEFAULT_CHANGE_BUDGET_PER_MINUTE,
  MAX_CHANGE_BUDGET_BURST,
  MAX_CHANGE_BUDGET_PER_MINUTE,
} from '@gasgauge/api';
import { wholeVar } from './intervals.js';

/**
 * The change budget from the `CHANGE_BUDGET_BURST` and `CHANGE_BUDGET_PER_MIN` vars, as `gasgauge serve
 * --change-budget` and `--change-budget-per-min` (tests raise or lower it); each its default unless a sane number,
 * and `CHANGE_BUDGET_PER_MIN` 0 is no budget.
 */
export function changeBudgetFromVars(burst: string | undefined, perMin: string | undefined): ChangeBudget | undefined {
  return changeBudgetOf(
    wholeVar(burst, DEFAULT_CHANGE_BUDGET_BURST, 1, MAX_CHANGE_BUDGET_BURST),
    wholeVar(perMin, DEFAULT_CHANGE_BUDGET_PER_MINUTE, 0, MAX_CHANGE_BUDGET_PER_MINUTE),
  );
}
