import type uPlot from 'uplot';
import { type ChartKeyAction, keyRange, type RangeLimits } from '../../lib/range.js';

/**
 * The charts of one page, moved together: one cursor-sync key, one x range, one zoom. A drag on any
 * chart zooms every chart at once from the data already drawn (that redraw is what the zoom
 * benchmark measures), then the page fetches the finer data the narrower range needs.
 *
 * Performance marks for the benchmark (packages/web/e2e/bench-page.ts):
 * - `charts-drawn`: every tracked chart has drawn with data (once per page load);
 * - `zoom-start` / `zoom-drawn` and the measure `zoom-redraw`: a drag until every chart redrew.
 */
export class ChartGroup {
  readonly syncKey = `gg-${Math.random().toString(36).slice(2)}`;
  range = { from: 0, to: 1 };
  onZoom: (from: number, to: number) => void = () => {};
  onReset: () => void = () => {};
  /** Where a zoom or pan key may take the range (a function, as "now" moves). */
  limits: () => RangeLimits = () => ({ maxSpan: Number.POSITIVE_INFINITY });
  private readonly charts = new Map<uPlot, { tracked: boolean }>();
  private readonly withData = new Set<uPlot>();
  private pendingZoom: Set<uPlot> | null = null;
  private chartsDrawn = false;

  constructor(private readonly expectedCharts: number) {}

  add(u: uPlot, tracked: boolean): void {
    this.charts.set(u, { tracked });
  }

  remove(u: uPlot): void {
    this.charts.delete(u);
    this.withData.delete(u);
    this.pendingZoom?.delete(u);
  }

  /** Puts every chart on [from, to) now, redrawing the data it has. */
  setRange(from: number, to: number): void {
    if (from === this.range.from && to === this.range.to) return;
    this.range = { from, to };
    for (const u of this.charts.keys()) u.setScale('x', { min: from / 1000, max: to / 1000 });
  }

  /** A drag selected [from, to) on one chart. */
  zoom(from: number, to: number): void {
    if (from === this.range.from && to === this.range.to) return; // synced charts report the same drag
    performance.mark('zoom-start');
    this.pendingZoom = new Set(this.charts.keys());
    this.setRange(from, to);
    // The URL and React follow in the next task, after the charts have redrawn: the zoom is seen at once.
    setTimeout(() => this.onZoom(from, to), 0);
  }

  /**
   * A key pressed on a focused chart (+, -, arrows, Home, Escape): zooms or pans every chart, as a drag does
   * (the same marks, URL and announcement follow), or resets them, as a double-click does.
   */
  key(action: ChartKeyAction): void {
    if (action === 'reset') {
      this.onReset();
      return;
    }
    const { from, to } = keyRange(this.range, action, this.limits());
    this.zoom(from, to);
  }

  /** From every chart's draw hook. */
  drawn(u: uPlot): void {
    if (this.pendingZoom?.delete(u) && this.pendingZoom.size === 0) {
      this.pendingZoom = null;
      performance.mark('zoom-drawn');
      performance.measure('zoom-redraw', 'zoom-start', 'zoom-drawn');
    }
    if (this.chartsDrawn || !this.charts.get(u)?.tracked || (u.data[0]?.length ?? 0) === 0) return;
    this.withData.add(u);
    if (this.withData.size >= this.expectedCharts) {
      this.chartsDrawn = true;
      performance.mark('charts-drawn');
    }
  }
}
