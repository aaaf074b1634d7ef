import type { SeriesName } from '../../api/metrics.js';
import type { Transform } from '../../lib/columns.js';
import { formatAxisCount, formatCount, formatMoney, formatMoneyAxis, plural } from '../../lib/format.js';

/** One line of a chart: a series of the timeseries and how it is shown. */
export interface ChartSeries {
  key: SeriesName;
  label: string;
  transform: Transform;
}

export interface ChartDef {
  id: string;
  title: string;
  unit: string;
  /** Bars for sparse counters (a bead closes now and then), lines for the rest. */
  bars?: boolean;
  /** Spans the whole grid: the headline chart. */
  wide?: boolean;
  /** Sparse events: fetched at about one bucket per 12 px (see coarseMaxPointsFor). */
  coarse?: boolean;
  /** A gauge the server samples while it runs (nothing sent has a time for it): the chart says where samples start. */
  sampled?: boolean;
  series: readonly ChartSeries[];
  formatValue: (v: number) => string;
  formatAxis: (v: number) => string;
}

const perSecond = (key: SeriesName, label: string) => ({ key, label, transform: 'perSecond' as const });
const perHour = (key: SeriesName, label: string) => ({ key, label, transform: 'perHour' as const });
const value = (key: SeriesName, label: string) => ({ key, label, transform: 'value' as const });

const oneDecimal = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

/**
 * The observability page's charts, all from one `metrics.timeseries` answer. Summed counters are
 * shown as rates (per second, per hour), so a chart keeps its scale when zooming changes the step;
 * money stays in microdollars until the axis and tooltip format it.
 */
export const CHARTS: readonly ChartDef[] = [
  {
    id: 'tokens',
    title: 'Token throughput',
    unit: 'tokens per second',
    wide: true,
    series: [
      perSecond('input_tokens', 'Input'),
      perSecond('output_tokens', 'Output'),
      perSecond('reasoning_tokens', 'Reasoning'),
      perSecond('cache_read_tokens', 'Cache read'),
      perSecond('cache_write_tokens', 'Cache write'),
    ],
    formatValue: (v) => `${formatCount(v)} tokens/s`,
    formatAxis: formatAxisCount,
  },
  {
    id: 'cost',
    title: 'Cost',
    unit: 'dollars per hour',
    series: [perHour('cost_microdollars', 'Cost')],
    formatValue: (v) => `${formatMoney(v)}/h`,
    formatAxis: formatMoneyAxis,
  },
  {
    id: 'agents',
    title: 'Agent utilisation',
    sampled: true,
    unit: 'agents by status (mean per bucket)',
    series: [
      value('agents_working', 'Working'),
      value('agents_idle', 'Idle'),
      value('agents_waiting', 'Waiting'),
      value('agents_stalled', 'Stalled'),
      value('agents_dead', 'Dead'),
    ],
    formatValue: (v) => plural(oneDecimal(v), 'agent'),
    formatAxis: formatAxisCount,
  },
  {
    id: 'beads',
    title: 'Bead velocity',
    unit: 'beads per hour',
    bars: true,
    coarse: true,
    series: [perHour('beads_closed', 'Closed'), perHour('beads_created', 'Created')],
    formatValue: (v) => `${formatCount(v)} beads/h`,
    formatAxis: formatAxisCount,
  },
  {
    id: 'loc',
    title: 'Lines of code',
    sampled: true,
    unit: 'lines not yet merged (mean per bucket)',
    series: [value('loc_additions', 'Additions'), value('loc_deletions', 'Deletions')],
    formatValue: (v) => plural(formatCount(v), 'line'),
    formatAxis: formatAxisCount,
  },
];

/** The breakdown chart's units: tokens per second or dollars per hour, per agent or model. */
export function breakdownFormat(metric: 'tokens' | 'cost'): Pick<ChartDef, 'unit' | 'formatValue' | 'formatAxis'> & {
  transform: 'perSecond' | 'perHour';
} {
  return metric === 'tokens'
    ? {
        unit: 'tokens per second',
        transform: 'perSecond',
        formatValue: (v) => `${formatCount(v)} tokens/s`,
        formatAxis: formatAxisCount,
      }
    : { unit: 'dollars per hour', transform: 'perHour', formatValue: (v) => `${formatMoney(v)}/h`, formatAxis: formatMoneyAxis };
}
