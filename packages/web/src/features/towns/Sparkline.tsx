import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import type { Theme } from '../../app/theme.js';
import type { Aligned } from '../../lib/columns.js';
import { chartColors, seriesColor } from '../observability/palette.js';

/**
 * A bare uPlot line (no axes, no cursor): one instance, fed setData as new answers come. A theme
 * change rebuilds it from the latest data (as TimeChart does), not from what it was first given.
 */
export function Sparkline({ data, theme, label }: { data: Aligned | undefined; theme: Theme; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(data);
  if (data) latest.current = data;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const color = seriesColor(chartColors(theme), 0);
    const u = new uPlot(
      {
        width: 160,
        height: 40,
        legend: { show: false },
        cursor: { show: false },
        select: { show: false, left: 0, top: 0, width: 0, height: 0 },
        axes: [{ show: false }, { show: false }],
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max !== null && max > 0 ? max * 1.1 : 1] } },
        series: [{}, { stroke: color, fill: `${color}22`, width: 1.5, points: { show: false } }],
      },
      (latest.current ?? [[], []]) as uPlot.AlignedData,
      el,
    );
    plot.current = u;
    return () => {
      u.destroy();
      plot.current = null;
    };
  }, [theme]);

  useEffect(() => {
    if (data) plot.current?.setData(data as uPlot.AlignedData);
  }, [data]);

  return <div className="sparkline" ref={box} role="img" aria-label={label} />;
}
