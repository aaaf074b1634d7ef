/**
 * Preparers: the server's columnar answers (`{step, t, ...}` with one array per series) into uPlot's
 * `[xs, ...ys]`, nulls kept as gaps (nothing measured is not zero). No per-point objects, no
 * aggregation: the server chose the step and ranked the breakdown, and these only change units.
 */

/** The buckets of a columnar answer: `t[i]` is the start of bucket i, `step` their size. */
export interface Frame {
  step: number;
  t: readonly number[];
}

/** How a stored series becomes a plotted one: summed counters become rates, so zooming keeps the scale. */
export type Transform = 'perSecond' | 'perHour' | 'value';

/** One column to plot: the server's values (undefined: not sent yet, so all gaps) and how they are shown. */
export interface Column {
  values: readonly (number | null)[] | undefined;
  transform: Transform;
}

/** uPlot's aligned data: x in seconds (uPlot's time unit), then one column per series. */
export type Aligned = [number[], ...(number | null)[][]];

/**
 * `asOf` (the time of the answer) makes the bucket still in progress a true rate: its sum so far is
 * divided by the time it has been open (at least one 5 s slot), not by the whole step, so the live
 * edge of a chart does not dip.
 */
export function toAligned(frame: Frame, columns: readonly Column[], asOf?: number): Aligned {
  const n = frame.t.length;
  const xs = new Array<number>(n);
  const spans = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const t = frame.t[i] as number;
    xs[i] = t / 1000;
    const open = asOf === undefined ? frame.step : asOf - t;
    spans[i] = open > 0 && open < frame.step ? Math.max(open, SLOT_MS) : frame.step;
  }
  const out: Aligned = [xs];
  for (const c of columns) out.push(scaled(c.values, spans, c.transform));
  return out;
}

const SLOT_MS = 5000;
const PER: Record<Transform, number> = { perSecond: 1000, perHour: 3_600_000, value: 0 };

/** A missing series is all gaps (the server has not got it yet), never zeros. */
function scaled(
  values: readonly (number | null)[] | undefined,
  spans: readonly number[],
  transform: Transform,
): (number | null)[] {
  const per = PER[transform];
  const out = new Array<number | null>(spans.length);
  for (let i = 0; i < spans.length; i++) {
    const v = values?.[i];
    out[i] = v === null || v === undefined ? null : per === 0 ? v : (v * per) / (spans[i] as number);
  }
  return out;
}

/**
 * Values with a gap on both sides: a line cannot show them, so the chart draws them as dots (an idle
 * town ticks once a minute, so at 5 s buckets most of its values stand alone). Null when there are none.
 */
export function isolatedIndices(values: ArrayLike<number | null | undefined>): number[] | null {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    const prev = i > 0 ? values[i - 1] : null;
    const next = i < values.length - 1 ? values[i + 1] : null;
    if ((prev === null || prev === undefined) && (next === null || next === undefined)) out.push(i);
  }
  return out.length > 0 ? out : null;
}
