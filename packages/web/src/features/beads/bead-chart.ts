/** A bead's cost over time (beads.get's columnar `cost`) as the chart draws it. Pure, tested without a browser. */
import type { BeadDetail } from '../../api/beads.js';
import { type Aligned, toAligned } from '../../lib/columns.js';

/** A bucket size when the answer has a single bucket and names none. */
const DEFAULT_STEP_MS = 60_000;

/**
 * The bucket size (the server's, or the smallest gap between buckets), the x range from the first
 * bucket to the end of the last, and the columns: cost per bucket in microdollars, gaps kept.
 */
export function beadCostChart(cost: BeadDetail['cost']): { step: number; from: number; to: number; data: Aligned } | null {
  const { t } = cost;
  const first = t[0];
  const last = t[t.length - 1];
  if (first === undefined || last === undefined) return null;
  let step = cost.step ?? Number.POSITIVE_INFINITY;
  if (cost.step === undefined) for (let i = 1; i < t.length; i++) step = Math.min(step, (t[i] as number) - (t[i - 1] as number));
  if (!(step > 0 && Number.isFinite(step))) step = DEFAULT_STEP_MS;
  return { step, from: first, to: last + step, data: toAligned({ step, t }, [{ values: cost.cost, transform: 'value' }]) };
}
