/** A bead's cost over time (beads.get's columnar `cost`) as the chart draws it. Pure, tested without a browser. */
import type { BeadDetail } from '../../api/beads.js';
import { type Aligned, toAligned } from '../../lib/columns.js';

/** The x range from the first bucket to the end of the last, and cost per bucket in microdollars, gaps kept. */
export function beadCostChart(cost: BeadDetail['cost']): { from: number; to: number; data: Aligned } | null {
  const { step, t } = cost;
  const first = t[0];
  const last = t[t.length - 1];
  if (first === undefined || last === undefined) return null;
  return { from: first, to: last + step, data: toAligned({ step, t }, [{ values: cost.cost, transform: 'value' }]) };
}
