import { useEffect, useMemo, useRef, useState } from 'react';
import { fetchBreakdown } from '../../api/metrics.js';
import { trpc } from '../../api/trpc.js';
import { Link, navigate, useLocation } from '../../app/router.js';
import { settingsPath, townPath } from '../../app/routes.js';
import type { Theme } from '../../app/theme.js';
import { toAligned } from '../../lib/columns.js';
import {
  basePreset,
  coarseMaxPointsFor,
  maxPointsFor,
  parseRange,
  presetMs,
  type RangeSpec,
  rangeSearch,
  refreshMs,
  zoomRange,
} from '../../lib/range.js';
import { useQuery } from '../../lib/use-query.js';
import { TownHeader } from '../towns/TownHeader.js';
import { type BreakdownBy, BreakdownControls, type BreakdownMetric } from './BreakdownControls.js';
import { BREAKDOWN_SERIES, breakdownLegend } from './breakdown-series.js';
import { ChartGroup } from './chart-group.js';
import { breakdownFormat, CHARTS } from './charts.js';
import { RangePicker } from './RangePicker.js';
import { TimeChart } from './TimeChart.js';
import { usePlotWidth } from './use-plot-width.js';
import { useResolvedRange } from './use-range.js';
import './observability.css';
import { LoadError } from '../../ui/LoadError.js';

/**
 * The browser's IANA zone: day buckets (of the timeseries and the breakdown) start at local midnight,
 * as the axis labels them, instead of UTC midnight (which is the evening before west of UTC).
 */
const TIME_ZONE: string | undefined = Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
const tzInput = TIME_ZONE ? { tz: TIME_ZONE } : {};
const NO_SERIES: readonly { key: string; label: string }[] = [];
const MAX_RANGE_MS = presetMs('30d');

/**
 * Synchronised charts of one town over a range that lives in the URL. Data is fetched at about one
 * bucket per plot pixel for the visible range (the server picks the step), so a week of 5 s data is
 * never sent whole; zooming re-queries at the finer resolution the narrower range needs.
 */
export function ObservabilityPage({ townId, theme }: { townId: string; theme: Theme }) {
  const { path, search } = useLocation();
  const spec = parseRange(search);
  const params = new URLSearchParams(search);
  const by: BreakdownBy = params.get('by') === 'model' ? 'model' : 'agent';
  const metric: BreakdownMetric = params.get('metric') === 'cost' ? 'cost' : 'tokens';
  const [autoRefresh, setAutoRefresh] = useState(true);
  const group = useMemo(() => new ChartGroup(CHARTS.length), []);
  const grid = useRef<HTMLDivElement>(null);
  const plotWidth = usePlotWidth(grid);
  const maxPoints = maxPointsFor(plotWidth);
  const coarsePoints = coarseMaxPointsFor(plotWidth);
  const [step, setStep] = useState(60_000);
  const { from, to } = useResolvedRange(spec, autoRefresh && spec.kind === 'preset', refreshMs(step));

  // Zooms and presets are history entries (Back returns); the breakdown choice only replaces the URL.
  const go = (next: RangeSpec) => navigate(path + rangeSearch(next, search));
  group.onZoom = (a, b) => go(zoomRange(a, b));
  group.onReset = () => go({ kind: 'preset', preset: basePreset(search) });
  // Keys pan no later than now, and zoom out no wider than the widest preset.
  group.limits = () => ({ latest: Date.now(), maxSpan: MAX_RANGE_MS });

  useEffect(() => group.setRange(from, to), [group, from, to]);

  // The question is the town, the picked range and the resolution; the auto-refresh that moves a preset
  // along with now asks it again as a refresh, which never aborts a slow answer (it asks once more after).
  const picked = spec.kind === 'absolute' ? `a:${spec.from}:${spec.to}` : `p:${spec.preset}`;
  const key = plotWidth > 0 ? `${townId}|${picked}|${maxPoints}` : null;
  const refresh = `${from}|${to}`;
  // asOf: when the answer arrived, so the bucket still in progress is shown as the rate over the last step.
  const ts = useQuery(
    key,
    async (signal) => ({
      ...(await trpc.metrics.timeseries.query({ townId, from, to, maxPoints, ...tzInput }, { signal })),
      asOf: Date.now(),
    }),
    { refresh },
  );
  const coarse = useQuery(
    key && `${townId}|${picked}|${coarsePoints}`,
    async (signal) => ({
      ...(await trpc.metrics.timeseries.query({ townId, from, to, maxPoints: coarsePoints, ...tzInput }, { signal })),
      asOf: Date.now(),
    }),
    { refresh },
  );
  const bd = useQuery(
    key && `${key}|${by}|${metric}`,
    async (signal) => ({
      ...(await fetchBreakdown({ townId, from, to, maxPoints, by, metric, limit: BREAKDOWN_SERIES, ...tzInput }, signal)),
      asOf: Date.now(),
    }),
    { refresh },
  );

  useEffect(() => {
    if (ts.data) setStep(ts.data.step);
  }, [ts.data]);
  // A town that never took data: say where to start rather than leave only "No data in this range" on every chart.
  const fresh = useQuery(
    `${townId}|fresh`,
    async (signal) => (await trpc.metrics.throughput.query({ townId }, { signal })).dataAgeMs === null,
  );
  // Asked again with each answer of the charts while it says "never": the banner goes with the first data,
  // without a reload. Once the town has data it is not asked again (a town that took data keeps it).
  const refetchFresh = fresh.refetch;
  useEffect(() => {
    if (fresh.data && ts.data) refetchFresh();
  }, [fresh.data, ts.data, refetchFresh]);

  const fineData = ts.data;
  const coarseData = coarse.data;
  const aligned = useMemo(
    () =>
      CHARTS.map((def) => {
        const d = def.coarse ? coarseData : fineData;
        return (
          d &&
          toAligned(
            d,
            def.series.map((s) => ({ values: d.series[s.key], transform: s.transform })),
            d.asOf,
          )
        );
      }),
    [fineData, coarseData],
  );
  const bdFormat = breakdownFormat(metric);
  const legend = useMemo(() => bd.data && breakdownLegend(bd.data, by, bdFormat.transform), [bd.data, by, bdFormat.transform]);
  const bdAligned = useMemo(() => bd.data && legend && toAligned(bd.data, legend.columns, bd.data.asOf), [bd.data, legend]);

  return (
    <>
      <TownHeader townId={townId} tab="observability" />
      <RangePicker spec={spec} from={from} to={to} autoRefresh={autoRefresh} onAutoRefresh={setAutoRefresh} onChange={go} />
      <p className="muted hint">
        Drag across a chart to zoom every chart; double-click to reset. On a focused chart, + and - zoom, the arrow keys pan, Home
        or Escape resets, and Shift with an arrow key reads the values a bucket at a time. Click a legend entry to hide or show
        it.
      </p>
      {fresh.data && (
        <p className="banner" role="status">
          No data from this town yet: its <Link to={townPath(townId)}>Overview</Link> says how to connect a reporter, and its{' '}
          <Link to={settingsPath(townId)}>Settings</Link> make ingest keys for OpenTelemetry exporters.
        </p>
      )}
      {ts.error && <LoadError what="the charts" error={ts.error} alert />}
      <div className="charts" ref={grid} aria-busy={ts.loading}>
        {CHARTS.map((def, i) => (
          <TimeChart
            key={def.id}
            group={group}
            tracked
            title={def.title}
            unit={def.unit}
            series={def.series}
            data={aligned[i]}
            step={(def.coarse ? coarse.data : ts.data)?.step}
            formatValue={def.formatValue}
            formatAxis={def.formatAxis}
            theme={theme}
            bars={def.bars ?? false}
            wide={def.wide ?? false}
            sampled={def.sampled ?? false}
          />
        ))}
        <div className="breakdown">
          {bd.error && <LoadError what="the breakdown" error={bd.error} alert />}
          <BreakdownControls
            by={by}
            metric={metric}
            onChange={(next) => {
              const q = new URLSearchParams(search);
              q.set('by', next.by);
              q.set('metric', next.metric);
              navigate(`${path}?${q.toString()}`, { replace: true });
            }}
          />
          <TimeChart
            group={group}
            tracked={false}
            title={`${metric === 'tokens' ? 'Tokens' : 'Cost'} by ${by}`}
            unit={bdFormat.unit}
            series={legend?.series ?? NO_SERIES}
            data={bdAligned}
            step={bd.data?.step}
            formatValue={bdFormat.formatValue}
            formatAxis={bdFormat.formatAxis}
            theme={theme}
          />
        </div>
      </div>
    </>
  );
}
