import type uPlot from 'uplot';

/** One shown series' value at a bucket, as the tooltip lists it and a keyboard reading announces it. */
export interface PointValue {
  label: string;
  /** Formatted with the chart's unit; a gap is "no data". */
  value: string;
  color: string;
}

/** The shown series' values at bucket `idx` (the x column is uPlot's, in seconds). */
export function pointValues(u: Pick<uPlot, 'series' | 'data'>, idx: number, formatValue: (v: number) => string): PointValue[] {
  const out: PointValue[] = [];
  u.series.forEach((s, i) => {
    if (i === 0 || !s.show) return;
    const v = u.data[i]?.[idx];
    out.push({
      label: String(s.label ?? ''),
      value: v === null || v === undefined ? 'no data' : formatValue(v),
      color: typeof s.stroke === 'function' ? '' : String(s.stroke ?? ''),
    });
  });
  return out;
}

/** What a keyboard reading announces for one bucket: "12:05: Input 1.2k tok/s, Output no data". */
export function readingText(time: string, values: readonly PointValue[]): string {
  return values.length === 0
    ? `${time}: every series hidden`
    : `${time}: ${values.map((v) => `${v.label} ${v.value}`).join(', ')}`;
}

/**
 * Which way Shift+← and Shift+→ step a reading (the arrows alone pan): one bucket at a time. Other modifiers
 * leave the keys to the browser.
 */
export function readStep(e: {
  key: string;
  shiftKey: boolean;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
}): -1 | 1 | undefined {
  if (!e.shiftKey || e.altKey || e.ctrlKey || e.metaKey) return undefined;
  return e.key === 'ArrowLeft' ? -1 : e.key === 'ArrowRight' ? 1 : undefined;
}

/**
 * The bucket a reading goes to next among `count`: the first step reads the newest bucket for ← and the oldest
 * for →; then one bucket at a time, staying at either end. undefined when there is no bucket.
 */
export function nextReadIndex(count: number, current: number | undefined, dir: -1 | 1): number | undefined {
  if (count === 0) return undefined;
  if (current === undefined || current >= count) return dir < 0 ? count - 1 : 0;
  return Math.min(count - 1, Math.max(0, current + dir));
}

/**
 * The bucket a reading goes to next, from the bucket of time `x` it reads (undefined: none yet), among the bucket
 * times `xs` (ascending): as nextReadIndex, the bucket found by its time, not its place. A refresh that moves the
 * range (a preset moving with now: the oldest bucket out, a newest in) shifts every place by one, and the place
 * read before then named the bucket a step later: Shift+← read the same bucket again, Shift+→ skipped one. A time
 * no longer among `xs` (a new range) steps to its neighbour that way, staying at either end.
 */
export function nextReadIndexFrom(xs: ArrayLike<number>, x: number | undefined, dir: -1 | 1): number | undefined {
  if (x === undefined || xs.length === 0) return nextReadIndex(xs.length, undefined, dir);
  /** The first bucket at or after x. */
  let at = 0;
  while (at < xs.length && (xs[at] as number) < x) at++;
  if (xs[at] === x) return nextReadIndex(xs.length, at, dir);
  return dir < 0 ? Math.max(0, at - 1) : Math.min(xs.length - 1, at);
}

/**
 * The buckets of `xs` (ascending, uPlot's x in seconds) in the view [min, max], as `xs.slice(first, end)`: the ones
 * uPlot draws and its cursor can point at. A bucket that starts before the view (the range's start falls inside it)
 * is not among them: a reading there had no cursor and no tooltip for it.
 */
export function viewSpan(xs: ArrayLike<number>, view: { min: number; max: number }): { first: number; end: number } {
  let first = 0;
  while (first < xs.length && (xs[first] as number) < view.min) first++;
  let end = first;
  while (end < xs.length && (xs[end] as number) <= view.max) end++;
  return { first, end };
}

/**
 * Where the cursor goes for a keyboard reading of the bucket at time `x` (px from the plot's left): at the bucket's
 * pixel while it is in the view [min, max], wherever a refresh moved it; off the plot (-10, where uPlot hides its
 * cursor and the tooltip goes) once it has left the view. The pixel the reading was first shown at names another
 * bucket after a refresh that moved the range.
 */
export function readingLeft(x: number, view: { min: number; max: number }, toPos: (x: number) => number): number {
  return x >= view.min && x <= view.max ? toPos(x) : -10;
}
