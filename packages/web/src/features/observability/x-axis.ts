import { formatAxisTime } from '../../lib/format.js';

/**
 * The time axis's tick spacing, so that no two labels touch. uPlot spaces ticks at least `space` CSS pixels apart
 * (50 by default), but a label with seconds ("07:51:30", from a tick under a minute: formatAxisTime) is ~55 px wide in
 * its 12 px font, so ticks 5 or 10 s apart ran their labels together at some widths. The space is the widest label
 * the chosen tick size can draw, plus a gap: measured in the page (fonts differ), computed here.
 */

/** Pixels kept clear between two labels. */
const GAP_PX = 12;
/** uPlot's own minimum, kept for labels narrower than it. */
const MIN_SPACE_PX = 50;
/** Ticks under this are labelled with seconds (formatAxisTime). */
const SECONDS_BELOW_S = 60;

export interface LabelWidths {
  /** The widest label of a tick under a minute ("00:00:00"). */
  seconds: number;
  /** The widest of the other labels ("00:00", "30 Sept"). */
  other: number;
}

/**
 * The least pixels between ticks over `rangeS` seconds drawn across `plotPx`. uPlot picks the smallest tick size whose
 * ticks are at least this far apart (findIncr), and its sizes jump from 30 s to 1 min: the narrower labels' space is
 * enough when the tick it leads to is a minute or more, otherwise the ticks get seconds and need the wider one.
 */
export function timeAxisSpace(rangeS: number, plotPx: number, widths: LabelWidths): number {
  const other = Math.max(MIN_SPACE_PX, Math.ceil(widths.other) + GAP_PX);
  const seconds = Math.max(other, Math.ceil(widths.seconds) + GAP_PX);
  if (!(rangeS > 0 && plotPx > 0)) return seconds;
  return (rangeS * other) / plotPx >= SECONDS_BELOW_S ? other : seconds;
}

/** The time axis's font: uPlot's default, named so that its labels can be measured in it. */
export const AXIS_FONT =
  '12px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif, "Apple Color Emoji", "Segoe UI Emoji", "Segoe UI Symbol", "Noto Color Emoji"';

let measured: LabelWidths | undefined;

/** The widest labels formatAxisTime gives, measured once in AXIS_FONT on a canvas of the page (kept: the font is fixed). */
export function axisLabelWidths(): LabelWidths {
  const format = formatAxisTime;
  if (measured) return measured;
  const ctx = document.createElement('canvas').getContext('2d');
  if (!ctx) return { seconds: MIN_SPACE_PX, other: MIN_SPACE_PX };
  ctx.font = AXIS_FONT;
  // A label with each of its digits the widest digit (an upper bound when digits differ in width), and every month.
  const widest = (label: string) => Math.max(...[...'0123456789'].map((d) => ctx.measureText(label.replace(/\d/g, d)).width));
  const at = Date.UTC(2026, 0, 1, 12);
  const days = Array.from({ length: 12 }, (_, m) => widest(format(Date.UTC(2026, m, 28, 12), 86_400_000)));
  measured = { seconds: widest(format(at, 1_000)), other: Math.max(widest(format(at, 60_000)), ...days) };
  return measured;
}
