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
 * `asOf` (the time of the answer) makes the bucket still in progress a rate over the last `step`
 * milliseconds: its sum so far plus the unelapsed share of the bucket before it (taken as spread evenly
 * over that bucket), divided by the step. A steady rate therefore neither dips at the live edge (as the
 * sum so far over the whole step would) nor spikes (as the sum so far over the time the bucket has been
 * open does: one bead closed a minute into an hour bucket is not 60 beads an hour).
 */
export function toAligned(frame: Frame, columns: readonly Column[], asOf?: number): Aligned {
  const n = frame.t.length;
  const xs = new Array<number>(n);
  for (let i = 0; i < n; i++) xs[i] = (frame.t[i] as number) / 1000;
  const live = liveEdge(frame, asOf);
  const out: Aligned = [xs];
  for (const c of columns) out.push(scaled(c.values, n, frame.step, c.transform, live));
  return out;
}

/** The bucket still in progress at `asOf`, and the share of the bucket before it still inside the window. */
interface LiveEdge {
  index: number;
  /** The share of bucket `index - 1` in the step-long window ending at `asOf`; 0 when it is not adjacent. */
  prevShare: number;
}

function liveEdge(frame: Frame, asOf: number | undefined): LiveEdge | undefined {
  if (asOf === undefined) return undefined;
  const index = frame.t.length - 1;
  const t = frame.t[index];
  if (t === undefined) return undefined;
  const open = asOf - t;
  if (!(open > 0 && open < frame.step)) return undefined;
  const adjacent = index > 0 && (frame.t[index - 1] as number) === t - frame.step;
  return { index, prevShare: adjacent ? 1 - open / frame.step : 0 };
}

const PER: Record<Transform, number> = { perSecond: 1000, perHour: 3_600_000, value: 0 };

/** A missing series is all gaps (the server has not got it yet), never zeros. */
function scaled(
  values: readonly (number | null)[] | undefined,
  n: number,
  step: number,
  transform: Transform,
  live: LiveEdge | undefined,
): (number | null)[] {
  const per = PER[transform];
  const out = new Array<number | null>(n);
  for (let i = 0; i < n; i++) {
    const v = values?.[i];
    if (v === null || v === undefined) out[i] = null;
    else if (per === 0) out[i] = v;
    else if (live !== undefined && i === live.index) out[i] = ((v + (values?.[i - 1] ?? 0) * live.prevShare) * per) / step;
    else out[i] = (v * per) / step;
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

/**
 * The index of the first bucket in which any series has a value, when buckets before it have none (a gauge the
 * server samples only while it runs, in a range reaching back before that); else null.
 */
export function dataStartsLate(data: Aligned): number | null {
  const [t, ...series] = data;
  for (let i = 0; i < t.length; i++) {
    if (series.some((col) => col[i] !== null && col[i] !== undefined)) return i > 0 ? i : null;
  }
  return null;
}
