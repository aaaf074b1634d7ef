/** A bead's cost over time (beads.get's columnar `cost`) as the chart draws it. Pure, tested without a browser. */
import type { BeadDetail } from '../../api/beads.js';
import { type Aligned, toAligned } from '../../lib/columns.js';

/**
 * The x range from the first bucket to the end of the last, and cost per bucket in microdollars, gaps kept;
 * null when no bucket cost anything (a bead nobody has spent on yet): a flat line at $0 would only draw an
 * axis of sub-microdollar ticks.
 */
export function beadCostChart(cost: BeadDetail['cost']): { from: number; to: number; data: Aligned } | null {
  const { step, t } = cost;
  const first = t[0];
  const last = t[t.length - 1];
  if (first === undefined || last === undefined || !cost.cost.some((v) => v !== null && v > 0)) return null;
  return { from: first, to: last + step, data: toAligned({ step, t }, [{ values: cost.cost, transform: 'value' }]) };
}
