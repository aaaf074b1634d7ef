/**
 * Time ranges of the charts and how they live in the URL. A preset (`?range=1h`) follows now; an
 * absolute range (`?from=…&to=…`, epoch ms) is fixed — zooming makes one, with history.pushState, so
 * Back returns to what was shown before and a reload shows the same range.
 */
import { formatTime } from './format.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export const PRESETS = [
  { key: '15m', label: '15m', words: '15 minutes', ms: 15 * MIN },
  { key: '1h', label: '1h', words: 'hour', ms: HOUR },
  { key: '6h', label: '6h', words: '6 hours', ms: 6 * HOUR },
  { key: '24h', label: '24h', words: '24 hours', ms: DAY },
  { key: '7d', label: '7d', words: '7 days', ms: 7 * DAY },
  { key: '30d', label: '30d', words: '30 days', ms: 30 * DAY },
] as const;

export type PresetKey = (typeof PRESETS)[number]['key'];
export type RangeSpec = { kind: 'preset'; preset: PresetKey } | { kind: 'absolute'; from: number; to: number };

export const DEFAULT_RANGE: RangeSpec = { kind: 'preset', preset: '1h' };
/** The narrowest zoom: a few raw 5 s buckets. */
export const MIN_SPAN_MS = 30_000;
/** The server's ceiling for maxPoints. */
export const MAX_POINTS = 5000;

export function presetMs(key: PresetKey): number {
  return (PRESETS.find((p) => p.key === key) ?? PRESETS[1]).ms;
}

/** The concrete [from, to) of a range at `now`. */
export function resolveRange(spec: RangeSpec, now: number): { from: number; to: number } {
  return spec.kind === 'absolute' ? { from: spec.from, to: spec.to } : { from: now - presetMs(spec.preset), to: now };
}

/**
 * The picked range in words, for a screen reader's live region: a preset by name (it does not change
 * as it follows now, so an auto-refresh announces nothing), a fixed range by its ends.
 */
export function rangeAnnouncement(spec: RangeSpec, timeZone?: string): string {
  if (spec.kind === 'preset') return `Range: the last ${(PRESETS.find((p) => p.key === spec.preset) ?? PRESETS[1]).words}`;
  const step = spec.to - spec.from < DAY ? 1000 : HOUR;
  return `Range: ${formatTime(spec.from, step, timeZone)} to ${formatTime(spec.to, step, timeZone)}`;
}

/** The range a URL's query asks for; anything malformed falls back to the default, never to an error page. */
export function parseRange(search: string): RangeSpec {
  const q = new URLSearchParams(search);
  const from = intParam(q.get('from'));
  const to = intParam(q.get('to'));
  if (from !== undefined && to !== undefined && to - from >= MIN_SPAN_MS) return { kind: 'absolute', from, to };
  const preset = q.get('range');
  if (PRESETS.some((p) => p.key === preset)) return { kind: 'preset', preset: preset as PresetKey };
  return DEFAULT_RANGE;
}

/**
 * The query string for a range, keeping the URL's other parameters. An absolute range keeps the
 * preset it was zoomed from (`range=`), so a double-click resets to it even after a reload.
 */
export function rangeSearch(spec: RangeSpec, current = ''): string {
  const q = new URLSearchParams(current);
  q.delete('from');
  q.delete('to');
  if (spec.kind === 'absolute') {
    q.set('from', String(Math.round(spec.from)));
    q.set('to', String(Math.round(spec.to)));
  } else {
    q.set('range', spec.preset);
  }
  return `?${q.toString()}`;
}

/** The preset a double-click resets to: the one in the URL, else the default. */
export function basePreset(search: string): PresetKey {
  const preset = new URLSearchParams(search).get('range');
  const found = PRESETS.find((p) => p.key === preset);
  return found ? found.key : (DEFAULT_RANGE as { preset: PresetKey }).preset;
}

/** A dragged selection as a range: whole milliseconds, at least MIN_SPAN_MS wide (widened around its middle). */
export function zoomRange(from: number, to: number): RangeSpec {
  let a = Math.round(Math.min(from, to));
  let b = Math.round(Math.max(from, to));
  if (b - a < MIN_SPAN_MS) {
    const mid = Math.round((a + b) / 2);
    a = mid - MIN_SPAN_MS / 2;
    b = mid + MIN_SPAN_MS / 2;
  }
  return { kind: 'absolute', from: a, to: b };
}

/** What a key does to a focused chart: zoom in or out around the middle, pan a quarter of the range, reset. */
export type ChartKeyAction = 'in' | 'out' | 'left' | 'right' | 'reset';

/**
 * The keys a focused chart answers to (KeyboardEvent.key), as `aria-keyshortcuts` names them: + or = zooms
 * in, - zooms out, ← and → pan, Home or Escape resets (as a double-click does).
 */
const CHART_KEYS: ReadonlyMap<string, ChartKeyAction> = new Map([
  ['+', 'in'],
  ['=', 'in'],
  ['-', 'out'],
  ['ArrowLeft', 'left'],
  ['ArrowRight', 'right'],
  ['Home', 'reset'],
  ['Escape', 'reset'],
]);
/** With the reading keys (Shift+arrows, features/observability/point-reading.ts). */
export const CHART_KEYSHORTCUTS = 'Plus Minus ArrowLeft ArrowRight Shift+ArrowLeft Shift+ArrowRight Home Escape';

/** What `key` (KeyboardEvent.key) does to a focused chart, if anything. */
export function chartKeyAction(key: string): ChartKeyAction | undefined {
  return CHART_KEYS.get(key);
}

/** Where a chart's range may go: not before `earliest` nor after `latest` (ms), nor wider than `maxSpan`. */
export interface RangeLimits {
  earliest?: number;
  latest?: number;
  maxSpan: number;
}

/**
 * The range a zoom or pan key makes of [from, to): half or twice as wide around its middle (never narrower
 * than MIN_SPAN_MS nor wider than limits.maxSpan), or moved by a quarter of its width; then moved back
 * inside the limits, so panning stops at the edge instead of drawing nothing. Whole milliseconds.
 */
export function keyRange(
  range: { from: number; to: number },
  action: Exclude<ChartKeyAction, 'reset'>,
  limits: RangeLimits,
): { from: number; to: number } {
  const span = range.to - range.from;
  const bound = limits.earliest !== undefined && limits.latest !== undefined ? limits.latest - limits.earliest : Infinity;
  let next: number;
  let from: number;
  if (action === 'in' || action === 'out') {
    next = Math.min(limits.maxSpan, bound, Math.max(MIN_SPAN_MS, action === 'in' ? span / 2 : span * 2));
    // Never wider for a zoom in, nor narrower for a zoom out (a range already past a limit stays as it is).
    next = action === 'in' ? Math.min(span, next) : Math.max(span, next);
    from = range.from + (span - next) / 2;
  } else {
    next = span;
    from = range.from + (action === 'left' ? -span / 4 : span / 4);
  }
  if (limits.latest !== undefined && from + next > limits.latest) from = limits.latest - next;
  if (limits.earliest !== undefined && from < limits.earliest) from = limits.earliest;
  from = Math.round(from);
  return { from, to: from + Math.round(next) };
}

/** About one bucket per pixel of plot width: the resolution the visible range needs, and no more. */
export function maxPointsFor(plotWidthPx: number): number {
  return Math.max(60, Math.min(MAX_POINTS, Math.round(plotWidthPx)));
}

/**
 * For sparse counters (beads close a few times an hour), about one bucket per 12 pixels: a per-hour
 * rate over 5 s buckets would be a comb of 720/h spikes. The server still chooses the step.
 */
export function coarseMaxPointsFor(plotWidthPx: number): number {
  return Math.max(12, Math.min(MAX_POINTS, Math.round(plotWidthPx / 12)));
}

/** How often a following (preset) range refetches: every bucket, but not more often than 5 s nor less than 60 s. */
export function refreshMs(stepMs: number): number {
  return Math.max(5000, Math.min(60_000, stepMs));
}

/** `<input type="datetime-local">` value in local time, and back: the custom range picker's edge. */
export function toLocalInput(at: number): string {
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fromLocalInput(value: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return undefined;
  const t = new Date(value).getTime();
  return Number.isFinite(t) ? t : undefined;
}

function intParam(v: string | null): number | undefined {
  if (v === null || !/^\d{1,16}$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}
