import type { Throughput } from '../../api/trpc.js';
import { formatCount, formatInteger, formatMoneyAxis, formatMoneyPerHour, plural } from '../../lib/format.js';
import { type TankState, tankFigures, tankFlag, tankTone } from '../billing/billing-text.js';

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
  /** A word beside the title that says what the colour says ("low"), so colour is never the only cue. */
  flag?: string;
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

/**
 * The six gauges of a town's overview: five from one live throughput (undefined before the first
 * push), the gas tank from the owning account's balance (its own query).
 */
export function gaugeModels(t: Throughput | undefined, tank: TankState = { status: 'loading' }): GaugeModel[] {
  if (!t) return [...LABELS.slice(0, 5).map((label) => unknown(label, 'waiting for data')), tankModel(tank)];
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
      valueText: `${plural(formatCount(t.tokensPerSecond), 'token')} per second`,
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
      valueText: `${plural(formatInteger(t.locAdditions), 'line')} added and ${formatInteger(t.locDeletions)} deleted, not yet merged`,
    },
    {
      label: 'Active agents',
      value: t.agentsActive,
      min: 0,
      max: Math.max(1, t.agentsTotal),
      scale: ['0', String(Math.max(1, t.agentsTotal))],
      display: `${t.agentsActive}`,
      unit: `of ${t.agentsTotal} working`,
      // Say where the count comes from: an agent with events by its status, one without by its usage.
      detail: 'by events, or usage in 5 min',
      tone: activeTone,
      valueText: `${t.agentsActive} of ${plural(t.agentsTotal, 'agent')} working`,
    },
    {
      label: 'Beads closed per hour',
      value: t.beadsClosedPerHour,
      min: 0,
      max: scaleMax(t.beadsClosedPerHour, 20),
      scale: ['0', formatCount(scaleMax(t.beadsClosedPerHour, 20))],
      display: formatCount(t.beadsClosedPerHour),
      unit: 'beads/h',
      detail: 'closed in the last hour',
      tone: t.beadsClosedPerHour === 0 && t.agentsActive > 0 ? 'warn' : 'neutral',
      valueText: `${plural(formatCount(t.beadsClosedPerHour), 'bead')} closed per hour`,
    },
    tankModel(tank),
  ];
}

/**
 * The gas tank: the owning account's balance on a dial whose scale starts at four times the
 * low-balance line (at least $10), so a low tank reads low. Amber and "low" under the line, red and
 * "empty" at zero or below (a debit may overdraw: spend already happened).
 */
export function tankModel(state: TankState): GaugeModel {
  if (state.status === 'loading') return unknown('Gas tank', 'loading balance');
  if (state.status === 'hidden') return unknown('Gas tank', 'balance hidden', 'your role may not see this account');
  if (state.status === 'error') return unknown('Gas tank', 'balance unavailable', state.error.message);
  const { tank } = state;
  const f = tankFigures(tank);
  const balance = tank.balanceMicrodollars;
  const max = scaleMax(Math.max(0, balance), niceCeil(Math.max(10 * USD, 4 * tank.lowBalanceThresholdMicrodollars)));
  const model: GaugeModel = {
    label: 'Gas tank',
    value: balance,
    min: Math.min(0, balance),
    max,
    // Overdrawn, the dial starts at the balance (the value sits at its empty end): the scale says so, not "$0".
    scale: [balance < 0 ? formatMoneyAxis(balance) : '$0', formatMoneyAxis(max)],
    display: f.balance,
    // The burn goes under the dial with the runway, not beside "left": between the scale's ends a long unit read
    // as one line with them ("$0 left · $75.13/h $500").
    unit: 'left',
    detail: tankDetail(tank.runwayBurnMicrodollarsPerHour > 0 ? f.runwayBurn : undefined, f.runway, f.rising),
    tone: tankTone(f.level),
    valueText: f.sentence,
  };
  const flag = tankFlag(f.level);
  if (flag) model.flag = flag;
  return model;
}

const LABELS = ['Tokens per second', 'Cost per hour', 'Lines of code', 'Active agents', 'Beads closed per hour', 'Gas tank'];

/** The gas tank's line under the dial: the burn the runway is figured at, the runway, and whether the burn rises. */
function tankDetail(burn: string | undefined, runway: string, rising: boolean): string {
  return [burn, runway, rising ? 'burn rising' : undefined].filter((part) => part !== undefined).join(' · ');
}

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
