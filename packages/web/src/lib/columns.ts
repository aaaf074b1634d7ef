/**
 * Preparers: the server's columnar answer `{step, t, series}` into uPlot's `[xs, ...ys]`, one array
 * per series, nulls kept as gaps (nothing measured is not zero). No per-point objects, no
 * aggregation: the server chose the step, and these only change units.
 */

export interface Columns {
  step: number;
  t: number[];
  series: Record<string, (number | null)[]>;
}

/** How a stored series becomes a plotted one: summed counters become rates, so zooming keeps the scale. */
export type Transform = 'perSecond' | 'perHour' | 'value';

export interface SeriesSpec {
  key: string;
  transform: Transform;
}

/** uPlot's aligned data: x in seconds (uPlot's time unit), then one column per series. */
export type Aligned = [number[], ...(number | null)[][]];

/**
 * `asOf` (the time of the answer) makes the bucket still in progress a true rate: its sum so far is
 * divided by the time it has been open (at least one 5 s slot), not by the whole step, so the live
 * edge of a chart does not dip.
 */
export function toAligned(cols: Columns, specs: readonly SeriesSpec[], asOf?: number): Aligned {
  const n = cols.t.length;
  const xs = new Array<number>(n);
  const spans = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const t = cols.t[i] as number;
    xs[i] = t / 1000;
    const open = asOf === undefined ? cols.step : asOf - t;
    spans[i] = open > 0 && open < cols.step ? Math.max(open, SLOT_MS) : cols.step;
  }
  const out: Aligned = [xs];
  for (const spec of specs) out.push(scaled(cols.series[spec.key], spans, spec.transform));
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

/** The series of a breakdown, largest total first, so colours and legend order are stable and the big ones lead. */
export function rankKeys(series: Record<string, (number | null)[]>, limit = 12): string[] {
  const totals = Object.entries(series).map(([key, values]) => {
    let sum = 0;
    for (const v of values) sum += v ?? 0;
    return [key, sum] as const;
  });
  totals.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return totals.slice(0, limit).map(([key]) => key);
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
