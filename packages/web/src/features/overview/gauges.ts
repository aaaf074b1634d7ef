import type { Throughput } from '../../api/trpc.js';
import { formatCount, formatInteger, formatMoneyAxis, formatMoneyPerHour } from '../../lib/format.js';

/** Colour of a gauge: calm (ok), look at it (warn), act (danger); neutral has no judgement; unknown has no value. */
export type Tone = 'ok' | 'warn' | 'danger' | 'neutral' | 'unknown';

export interface GaugeModel {
  /** The meter's accessible name. */
  label: string;
  value: number | null;
  min: number;
  max: number;
  /** Big number, and its unit underneath. */
  display: string;
  unit: string;
  detail?: string;
  /** The scale's ends as text, in the gauge's unit. */
  scale: [string, string];
  tone: Tone;
  /** What a screen reader says for the value. */
  valueText: string;
}

/** 1, 2, 5 × 10ⁿ at or above x: a scale that grows in steps people can read. */
export function niceCeil(x: number): number {
  if (x <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

/** The scale's top: the base, or the next nice number above a larger value (a gauge never pins at 100 %). */
export function scaleMax(value: number, base: number): number {
  return value <= base ? base : niceCeil(value);
}

function tone(value: number, warn: number, danger: number): Tone {
  return value >= danger ? 'danger' : value >= warn ? 'warn' : 'ok';
}

const USD = 1_000_000;

/** The six gauges of a town's overview, from one live throughput (undefined before the first push). */
export function gaugeModels(t: Throughput | undefined): GaugeModel[] {
  if (!t) return LABELS.map((label) => unknown(label, 'waiting for data'));
  const loc = t.locAdditions + t.locDeletions;
  const activeTone: Tone = t.agentsTotal > 0 && t.agentsActive === 0 ? 'warn' : 'ok';
  return [
    {
      label: 'Tokens per second',
      value: t.tokensPerSecond,
      min: 0,
      max: scaleMax(t.tokensPerSecond, 10_000),
      scale: ['0', formatCount(scaleMax(t.tokensPerSecond, 10_000))],
      display: formatCount(t.tokensPerSecond),
      unit: 'tokens/s',
      detail: 'all five kinds, last 5 min',
      tone: 'neutral',
      valueText: `${formatCount(t.tokensPerSecond)} tokens per second`,
    },
    {
      label: 'Cost per hour',
      value: t.costMicrodollarsPerHour,
      min: 0,
      max: scaleMax(t.costMicrodollarsPerHour, 50 * USD),
      scale: ['$0', formatMoneyAxis(scaleMax(t.costMicrodollarsPerHour, 50 * USD))],
      display: formatMoneyPerHour(t.costMicrodollarsPerHour).replace('/h', ''),
      unit: 'per hour',
      detail: 'amber from $25/h, red from $100/h',
      tone: tone(t.costMicrodollarsPerHour, 25 * USD, 100 * USD),
      valueText: `${formatMoneyPerHour(t.costMicrodollarsPerHour).replace('/h', '')} per hour`,
    },
    {
      label: 'Lines of code',
      value: loc,
      min: 0,
      max: scaleMax(loc, 1000),
      scale: ['0', formatCount(scaleMax(loc, 1000))],
      display: `+${formatCount(t.locAdditions)} −${formatCount(t.locDeletions)}`,
      unit: 'unmerged lines',
      detail: 'amber from 2k, red from 5k',
      tone: tone(loc, 2000, 5000),
      valueText: `${formatInteger(t.locAdditions)} lines added and ${formatInteger(t.locDeletions)} deleted, not yet merged`,
    },
    {
      label: 'Active agents',
      value: t.agentsActive,
      min: 0,
      max: Math.max(1, t.agentsTotal),
      scale: ['0', String(Math.max(1, t.agentsTotal))],
      display: `${t.agentsActive}`,
      unit: `of ${t.agentsTotal} working`,
      tone: activeTone,
      valueText: `${t.agentsActive} of ${t.agentsTotal} agents working`,
    },
    {
      label: 'Beads closed per hour',
      value: t.beadsClosedPerHour,
      min: 0,
      max: scaleMax(t.beadsClosedPerHour, 20),
      scale: ['0', formatCount(scaleMax(t.beadsClosedPerHour, 20))],
      display: formatCount(t.beadsClosedPerHour),
      unit: 'beads/h',
      detail: 'last 5 min',
      tone: t.beadsClosedPerHour === 0 && t.agentsActive > 0 ? 'warn' : 'neutral',
      valueText: `${formatCount(t.beadsClosedPerHour)} beads closed per hour`,
    },
    // The credit balance is not ingested yet (the accounts issue): say so rather than show a number.
    unknown('Gas tank', 'balance unknown', 'no account balance is reported yet'),
  ];
}

const LABELS = ['Tokens per second', 'Cost per hour', 'Lines of code', 'Active agents', 'Beads closed per hour', 'Gas tank'];

function unknown(label: string, text: string, detail?: string): GaugeModel {
  const model: GaugeModel = {
    label,
    value: null,
    min: 0,
    max: 1,
    display: '—',
    unit: text,
    scale: ['', ''],
    tone: 'unknown',
    valueText: text,
  };
  if (detail) model.detail = detail;
  return model;
}
