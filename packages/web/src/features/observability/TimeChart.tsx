import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Theme } from '../../app/theme.js';
import { type Aligned, dataStartsLate, isolatedIndices } from '../../lib/columns.js';
import { formatAxisTime, formatStamp, formatStep, formatTime } from '../../lib/format.js';
import { CHART_KEYSHORTCUTS, chartKeyAction } from '../../lib/range.js';
import type { ChartGroup } from './chart-group.js';
import { chartColors, seriesColor } from './palette.js';
import { nextReadIndexFrom, pointValues, readingLeft, readingText, readStep, viewSpan } from './point-reading.js';
import { tooltipPlugin } from './tooltip.js';
import { AXIS_FONT, axisLabelWidths, timeAxisSpace } from './x-axis.js';
import { dataMax, yLabels, yRange } from './y-axis.js';

export interface TimeChartProps {
  group: ChartGroup;
  /** Counts towards the page's `charts-drawn` mark. */
  tracked: boolean;
  title: string;
  series: readonly { key: string; label: string }[];
  /** Columns in the order of `series`; undefined until the first answer. */
  data: Aligned | undefined;
  /** The server's bucket size for `data`, shown and used for tooltip times; never computed here. */
  step: number | undefined;
  unit: string;
  formatValue: (v: number) => string;
  formatAxis: (v: number) => string;
  theme: Theme;
  height?: number;
  bars?: boolean;
  wide?: boolean;
  /** A gauge sampled while the server runs: say so when the range reaches back before its first sample. */
  sampled?: boolean;
}

/**
 * One uPlot instance for the life of the chart: it is created with the first answer (again only when the
 * theme or the set of series changes) and fed `setData` on every new answer. The renderer decides nothing:
 * the data comes prepared, the x range comes from the group.
 *
 * Not before the first answer: six empty charts drawn while the page loads cost ~40 ms of canvas work
 * plus a heavier first paint, and the page's requests (batched, sent in the next task) waited for both.
 */
export function TimeChart(props: TimeChartProps) {
  const { group, tracked, series, theme, height = 200, bars = false } = props;
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(props);
  latest.current = props;
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  /**
   * The bucket read from the keyboard (Shift+arrows), by its time (uPlot's x, in seconds): a refresh moves the
   * places of the buckets, not their times. And what the chart's live region says of it.
   */
  const readX = useRef<number | undefined>(undefined);
  /**
   * Whether that reading holds the cursor: from a Shift+arrow until the pointer moves, on this chart or on one synced
   * with it. While it does, the cursor stays on the bucket read through every refresh (see readingLeft); the
   * pointer's cursor stays under the pointer, on the bucket now there (uPlot's own way).
   */
  const readHolds = useRef(false);
  const [reading, setReading] = useState('');
  const hiddenRef = useRef(hidden);
  hiddenRef.current = hidden;
  // Exact for any names (a joined string could make two different lists look the same).
  const seriesKey = JSON.stringify(series.map((s) => [s.key, s.label]));
  const hasData = props.data !== undefined;
  /** The columns the plot last drew: a plot created with an answer needs no setData of the same one. */
  const drawnData = useRef<Aligned | undefined>(undefined);
  /**
   * The box's width, read in the layout phase: all charts read it there, one after another, from one
   * layout. Read while each chart is created, after the one before it added its canvases, it cost a
   * forced layout per chart.
   */
  const boxWidth = useRef(0);
  useLayoutEffect(() => {
    if (box.current) boxWidth.current = box.current.clientWidth;
  });

  // biome-ignore lint/correctness/useExhaustiveDependencies: re-created only when theme or series change (seriesKey stands for series), or the first answer came
  useEffect(() => {
    const el = box.current;
    const first = latest.current.data;
    if (!el || !first) return;
    const colors = chartColors(theme);
    const p = latest.current;
    const opts: uPlot.Options = {
      width: Math.max(100, boxWidth.current),
      height,
      legend: { show: false },
      cursor: {
        sync: {
          key: group.syncKey,
          setSeries: false,
          // Another chart's pointer moves this chart's cursor: the reading lets go of it.
          filters: {
            sub: (type) => {
              if (type === 'mousemove') readHolds.current = false;
              return true;
            },
          },
        },
        // Every cursor update (a refresh redraws at the cursor's last pixel) goes through here: a reading's
        // cursor goes to the pixel of the bucket read, not the pixel it was shown at before the range moved.
        move: (u, left, top) => {
          const x = readX.current;
          if (!readHolds.current || x === undefined) return [left, top];
          return [readingLeft(x, viewOf(u), (v) => u.valToPos(v, 'x')), top];
        },
        drag: { x: true, y: false, setScale: false },
        points: { size: 6 },
        bind: {
          // Double-click resets the zoom of every chart (uPlot's own reset would fit this chart's data only).
          dblclick: () => () => {
            group.onReset();
            return null;
          },
        },
      },
      scales: {
        x: { time: true, range: () => [group.range.from / 1000, group.range.to / 1000] },
        y: { range: (_u, _min, max) => yRange(max) },
      },
      axes: [
        {
          stroke: colors.axis,
          grid: { stroke: colors.grid, width: 1 },
          ticks: { stroke: colors.grid, width: 1 },
          font: AXIS_FONT,
          space: (_u, _axis, min, max, plotPx) => timeAxisSpace(max - min, plotPx, axisLabelWidths()),
          values: (_u, splits, _axis, _space, incr) => splits.map((s) => formatAxisTime(s * 1000, incr * 1000)),
        },
        {
          stroke: colors.axis,
          grid: { stroke: colors.grid, width: 1 },
          ticks: { show: false },
          size: 60,
          // The shown series' values, as the y range is fitted to them.
          values: (u, splits) =>
            yLabels(
              splits,
              dataMax(u.data.slice(1).filter((_, i) => u.series[i + 1]?.show !== false)),
              latest.current.formatAxis,
            ),
        },
      ],
      series: [
        {},
        ...p.series.map((s, i): uPlot.Series => {
          const color = seriesColor(colors, i);
          const base: uPlot.Series = {
            label: s.label,
            stroke: color,
            width: 1.5,
            // Lines join neighbours; a value between two gaps is drawn as a dot, or it would not show at all.
            points: { show: false, size: 5, fill: color, filter: (u, si) => isolatedIndices(u.data[si] ?? []) },
            show: !hiddenRef.current.has(s.key),
          };
          if (!bars) return base;
          // Side-by-side bars, one slot per series within each bucket.
          const align = p.series.length === 1 ? 0 : i === 0 ? -1 : 1;
          const paths = uPlot.paths.bars?.({ size: [p.series.length === 1 ? 0.7 : 0.4, 40], align });
          return paths ? { ...base, fill: color, width: 0, paths } : base;
        }),
      ],
      hooks: {
        setSelect: [
          (u) => {
            const { left, width } = u.select;
            if (width < 2) return;
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            group.zoom(Math.round(u.posToVal(left, 'x') * 1000), Math.round(u.posToVal(left + width, 'x') * 1000));
          },
        ],
        draw: [(u) => group.drawn(u)],
      },
      plugins: [
        tooltipPlugin({
          formatValue: (v) => latest.current.formatValue(v),
          formatTime: (t) => formatTime(t, latest.current.step ?? 60_000),
          reading: () => readX.current !== undefined,
        }),
      ],
    };
    const u = new uPlot(opts, first as uPlot.AlignedData, el);
    drawnData.current = first;
    plot.current = u;
    group.add(u, tracked);
    // Before uPlot's own listeners (on the plot inside): the pointer takes the cursor back from a reading.
    const pointerMoved = () => {
      readHolds.current = false;
    };
    u.root.addEventListener('mousemove', pointerMoved, { capture: true });
    u.root.addEventListener('mousedown', pointerMoved, { capture: true });
    const resize = new ResizeObserver(() => {
      const width = Math.max(100, el.clientWidth);
      if (width !== u.width) u.setSize({ width, height });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      group.remove(u);
      u.destroy();
      plot.current = null;
    };
  }, [theme, seriesKey, group, tracked, height, bars, hasData]);

  useEffect(() => {
    if (!props.data || props.data === drawnData.current) return;
    drawnData.current = props.data;
    plot.current?.setData(props.data as uPlot.AlignedData);
  }, [props.data]);

  const toggle = (key: string, i: number) => {
    const next = new Set(hidden);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    setHidden(next);
    plot.current?.setSeries(i + 1, { show: !next.has(key) });
  };

  /** Moves the reading one bucket (Shift+arrows): the cursor and tooltip go there, the live region reads it. */
  const read = (dir: -1 | 1) => {
    const u = plot.current;
    if (!u) return;
    const xs = u.data[0];
    // Among the buckets in view only: the range's first bucket may start before it, where no cursor shows.
    const { first, end } = viewSpan(xs, viewOf(u));
    const at = nextReadIndexFrom(xs.slice(first, end), readX.current, dir);
    if (at === undefined) {
      setReading('No data in this range');
      return;
    }
    const idx = first + at;
    const x = xs[idx] as number;
    readX.current = x;
    readHolds.current = true;
    u.setCursor({ left: u.valToPos(x, 'x'), top: u.over.clientHeight / 2 });
    setReading(readingText(formatTime(x * 1000, props.step ?? 60_000), pointValues(u, idx, props.formatValue)));
  };
  /** Focus left the chart: the keyboard's cursor and tooltip go (the mouse brings them back). */
  const endReading = () => {
    if (readX.current === undefined) return;
    readX.current = undefined;
    readHolds.current = false;
    setReading('');
    plot.current?.setCursor({ left: -10, top: -10 });
  };

  const colors = chartColors(theme);
  const empty = props.data !== undefined && !props.data.slice(1).some((col) => col.some((v) => v !== null));
  const lateStart = props.sampled && props.data ? dataStartsLate(props.data) : null;
  // The x column is in seconds (uPlot's unit).
  const sampledFrom = lateStart === null ? undefined : (props.data?.[0][lateStart] ?? 0) * 1000;
  return (
    <figure className={`chart card${props.wide ? ' wide' : ''}`} aria-label={props.title}>
      <figcaption className="chart-head">
        <h2>{props.title}</h2>
        <span className="muted">
          {props.unit}
          {props.step !== undefined && ` · ${formatStep(props.step)} buckets`}
        </span>
      </figcaption>
      {/*
       * Focusable: + or = zooms in, - zooms out, the arrow keys pan, Home or Escape resets, every chart of the
       * page at once, as a drag and a double-click do (the page's live region announces the range shown).
       * Shift+← and Shift+→ read the chart a bucket at a time, as the tooltip shows it (its own live region).
       * An application: a screen reader passes its keys through (in browse mode it would take the arrows).
       */}
      <div
        className="chart-plot"
        ref={box}
        role="application"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: an application takes keys (zoom, pan, reset), so Tab must reach it
        tabIndex={0}
        aria-label={`${props.title}: + and - zoom, arrow keys pan, Home resets, Shift and arrow keys read the values`}
        aria-keyshortcuts={CHART_KEYSHORTCUTS}
        onKeyDown={(e) => {
          const dir = readStep(e);
          if (dir !== undefined) {
            e.preventDefault();
            read(dir);
            return;
          }
          const action = e.altKey || e.ctrlKey || e.metaKey || e.shiftKey ? undefined : chartKeyAction(e.key);
          if (action === undefined) return;
          e.preventDefault();
          group.key(action);
        }}
        onBlur={endReading}
      >
        {empty && <div className="chart-empty">{props.sampled ? 'Not sampled in this range' : 'No data in this range'}</div>}
      </div>
      <p className="visually-hidden" aria-live="polite">
        {reading}
      </p>
      {sampledFrom !== undefined && (
        <p className="chart-note muted">
          Sampled while the server runs: nothing in this range before {formatStamp(sampledFrom)}.
        </p>
      )}
      <fieldset className="legend">
        <legend className="visually-hidden">{props.title} series</legend>
        {series.map((s, i) => (
          <button key={s.key} type="button" aria-pressed={!hidden.has(s.key)} onClick={() => toggle(s.key, i)}>
            <span className="swatch" style={{ background: seriesColor(colors, i) }} aria-hidden="true" />
            {s.label}
          </button>
        ))}
      </fieldset>
    </figure>
  );
}

/** The x range shown (uPlot's x, in seconds): none before the first draw. */
function viewOf(u: uPlot): { min: number; max: number } {
  return { min: u.scales.x?.min ?? Number.POSITIVE_INFINITY, max: u.scales.x?.max ?? Number.NEGATIVE_INFINITY };
}
