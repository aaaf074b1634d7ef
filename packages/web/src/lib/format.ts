/**
 * Formatting at the edge: the API speaks integer microdollars and epoch ms UTC; only these functions
 * turn numbers into text for people. Pure, so they are tested without a browser.
 */

import { dateTimeFormat, numberFormat } from './intl.js';

const MICRO = 1_000_000;

const TWO_SIGNIFICANT = numberFormat('en-US', { maximumSignificantDigits: 2, useGrouping: false });
const GROUPED = numberFormat('en-US', {});

/**
 * 0.042, 2.3, 950, 12.3k, 4.56M, 1.2B: two significant digits below 1 (a small rate never reads 0),
 * one decimal below 10, three significant digits past a thousand (999.5 rounds up to 1k).
 */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '\u2014';
  const abs = Math.abs(n);
  if (abs < 1 && abs > 0) return TWO_SIGNIFICANT.format(n);
  if (abs < 999.5) return abs < 10 && !Number.isInteger(n) ? n.toFixed(1) : String(Math.round(n));
  for (const [div, suffix] of [
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const) {
    if (abs >= div * 0.9995) return `${trim3(n / div)}${suffix}`;
  }
  return String(Math.round(n));
}

/** 1,234,567: exact integers in tables. */
export function formatInteger(n: number): string {
  if (!Number.isFinite(n)) return '\u2014';
  return GROUPED.format(Math.round(n));
}

/** The minus sign of every amount of money the UI shows (U+2212, as a ledger prints it and a screen reader says "minus"). */
const MINUS = '\u2212';
/** The smallest amount shown in digits; anything nearer zero reads "<$0.0001" (or ">−$0.0001" below zero). */
const TINY_USD = 0.0001;

/**
 * Every amount of money the UI shows in short form, one function for every place (tables, gauges, tooltips,
 * budgets, axes), so a sign, a tiny amount or a rounding edge reads the same everywhere:
 * - `'short'`: $12.34 for dollars and up, $1.23k past a thousand, three significant digits below a dollar
 *   ($0.0456), $0 for zero;
 * - `'axis'`: tick labels, short and agreeing with each other: whole dollars from $10, cents below a dollar
 *   without trailing zeros ($0.5, $1, $1.5: a short $1.00 stood beside $0.5 on one axis).
 * A negative amount is the positive one with a minus sign before the dollar sign (−$2.25). An amount nearer
 * zero than $0.0001 reads as the bound it lies within: "<$0.0001", and ">−$0.0001" below zero (once read
 * "-<$0.0001"), never "$0.0000" or "−$0". Not a number (a rate over nothing) reads "—", never "NaN".
 */
export function formatMoney(microdollars: number, style: 'short' | 'axis' = 'short'): string {
  if (!Number.isFinite(microdollars)) return '\u2014';
  if (microdollars === 0) return '$0';
  // The sign of the amount given: a tiny one (5e-324) divided by a million is zero.
  const minus = microdollars < 0;
  const abs = Math.abs(microdollars / MICRO);
  if (abs < TINY_USD) return minus ? `>${MINUS}$0.0001` : '<$0.0001';
  return `${minus ? MINUS : ''}$${style === 'axis' ? axisDollars(abs) : shortDollars(abs)}`;
}

/** A positive amount of dollars, at least TINY_USD, in short form (no sign, no dollar sign). */
function shortDollars(abs: number): string {
  // Past $999.995 two decimals would read 1000.00: thousands instead.
  if (abs >= 999.995) return formatCount(abs);
  if (abs >= 1) return abs.toFixed(2);
  const cents = Number(abs.toPrecision(3));
  // $0.9996 rounds to a dollar: written as dollars are ($1.00), not $1.
  return cents >= 1 ? cents.toFixed(2) : String(cents);
}

/** A positive amount of dollars, at least TINY_USD, as an axis tick (no sign, no dollar sign). */
function axisDollars(abs: number): string {
  if (abs >= 999.5) return formatCount(abs);
  if (abs >= 9.995) return String(Math.round(abs));
  if (abs >= 1) return String(Number(abs.toFixed(2)));
  return shortDollars(abs);
}

export function formatMoneyPerHour(microdollarsPerHour: number): string {
  return `${formatMoney(microdollarsPerHour)}/h`;
}

/** Every microdollar, for a ledger: at least cents, up to six decimals, grouped ($1,234.5678, −$0.225). */
export function formatMoneyExact(microdollars: number): string {
  const n = Math.round(microdollars);
  const abs = Math.abs(n);
  const cents = String(abs % MICRO)
    .padStart(6, '0')
    .replace(/0+$/, '')
    .padEnd(2, '0');
  return `${n < 0 ? MINUS : ''}$${GROUPED.format(Math.floor(abs / MICRO))}.${cents}`;
}

/**
 * The zeros formatMoneyExact left off an amount's six decimals ("0000" for $2.25, "" for $0.123456): a
 * ledger column reserves their width, so its decimal points line up.
 */
export function moneyExactPadding(microdollars: number): string {
  const decimals = Math.max(
    2,
    String(Math.abs(Math.round(microdollars)) % MICRO)
      .padStart(6, '0')
      .replace(/0+$/, '').length,
  );
  return '0'.repeat(6 - decimals);
}

/** A ledger amount with its sign: +$10.00 for a grant, −$2.25 for a debit. */
export function formatMoneySigned(microdollars: number): string {
  return microdollars > 0 ? `+${formatMoneyExact(microdollars)}` : formatMoneyExact(microdollars);
}

/** 82 %: rounded down, so a share never reads 100 % before it is (above 0 but under 1 %: "<1 %"). */
export function formatPercent(fraction: number): string {
  const pct = Math.floor(fraction * 100 + 1e-9);
  return pct === 0 && fraction > 0 ? '<1 %' : `${pct} %`;
}

/** 3 h 20 min, 2 d 4 h, 45 s: the two largest units, rounded down; a year and more is "more than a year". */
export function formatDurationLong(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s >= 365 * 86_400) return 'more than a year';
  const units: [number, string][] = [
    [86_400, 'd'],
    [3600, 'h'],
    [60, 'min'],
    [1, 's'],
  ];
  const i = units.findIndex(([size]) => s >= size);
  if (i < 0) return '0 s';
  const [size, name] = units[i] as [number, string];
  const next = units[i + 1];
  const rest = next ? Math.floor((s % size) / next[0]) : 0;
  return next && rest > 0 ? `${Math.floor(s / size)} ${name} ${rest} ${next[1]}` : `${Math.floor(s / size)} ${name}`;
}

/** 3 s, 4 min, 2 h, 3 d: the largest unit that fits, rounded down. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} d`;
}

/** "just now" under 2 s, else "12 s ago". */
export function formatAgo(ms: number): string {
  return ms < 2000 ? 'just now' : `${formatDuration(ms)} ago`;
}

/** A point in time for a tooltip, as precise as the bucket size: seconds for buckets under a minute, dates for days. */
export function formatTime(at: number, stepMs: number, timeZone?: string): string {
  const opts: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hour12: false };
  if (stepMs < 60_000) opts.second = '2-digit';
  if (stepMs >= 3_600_000) {
    opts.month = 'short';
    opts.day = 'numeric';
  }
  if (stepMs >= 86_400_000) {
    delete opts.hour;
    delete opts.minute;
  }
  if (timeZone) opts.timeZone = timeZone;
  return dateTimeFormat('en-GB', opts).format(at);
}

/** A moment with its date, to the minute ("3 Dec, 14:05"), or to the second where order within a minute matters. */
export function formatStamp(at: number, seconds = false, timeZone?: string): string {
  const opts: Intl.DateTimeFormatOptions = { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false };
  if (seconds) opts.second = '2-digit';
  if (timeZone) opts.timeZone = timeZone;
  return dateTimeFormat('en-GB', opts).format(at);
}

/** A moment in the browser's own locale, date and time to the second (what Date's toLocaleString() shows). */
export function formatLocal(at: number): string {
  return dateTimeFormat(undefined, LOCAL_STAMP).format(at);
}

const LOCAL_STAMP: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
};

/** A bucket size in words, for "5 s buckets". */
export function formatStep(stepMs: number): string {
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's'],
  ];
  for (const [ms, unit] of units) if (stepMs >= ms && stepMs % ms === 0) return `${stepMs / ms} ${unit}`;
  return `${stepMs} ms`;
}

function trim3(x: number): string {
  const abs = Math.abs(x);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return String(Number(x.toFixed(digits)));
}

/**
 * An x-axis tick: seconds when ticks are seconds apart, hours and minutes within a day, else the date; and the
 * date at midnight, so that an axis of hours over several days names its days (a 7-day chart 1,900 px wide read
 * "12:00 00:00 12:00 00:00 …", which day unsaid).
 */
export function formatAxisTime(at: number, tickMs: number, timeZone?: string): string {
  const opts: Intl.DateTimeFormatOptions =
    tickMs >= 86_400_000 || isMidnight(at, timeZone)
      ? { month: 'short', day: 'numeric' }
      : { hour: '2-digit', minute: '2-digit', hour12: false };
  if (tickMs < 60_000 && opts.hour) opts.second = '2-digit';
  if (timeZone) opts.timeZone = timeZone;
  return dateTimeFormat('en-GB', opts).format(at);
}

/** Whether `at` is the first moment of a day in `timeZone` (the browser's by default). */
function isMidnight(at: number, timeZone?: string): boolean {
  const opts: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' };
  if (timeZone) opts.timeZone = timeZone;
  return at % 1000 === 0 && dateTimeFormat('en-GB', opts).format(at) === '00:00:00';
}

/** Money on an axis: formatMoney's axis style, as a function of one value for a chart's `formatAxis`. */
export function formatMoneyAxis(microdollars: number): string {
  return formatMoney(microdollars, 'axis');
}

/** A count on an axis: as many decimals as small ticks need (0.25 must not read 0.3), compact above 1,000. */
export function formatAxisCount(v: number): string {
  return Math.abs(v) < 10 ? String(Number(v.toFixed(2))) : formatCount(v);
}

/**
 * A count and its noun, agreeing: "1 agent", "3 agents", `plural(2, 'entry', 'entries')`; pass the count as shown
 * (`formatCount(v)`) and only one that reads "1" is singular. The core's function (packages/core/src/plural.ts),
 * which the web UI does not import.
 */
export function plural(count: number | string, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${String(count) === '1' ? singular : pluralForm}`;
}

const MIB = 1024 * 1024;

/** 12.3 MiB, 10 GiB: binary units, as the server's --max-town-mb counts. */
export function formatBytes(n: number): string {
  if (n >= 1024 * MIB) return `${Number((n / (1024 * MIB)).toFixed(1))} GiB`;
  if (n >= MIB) return `${Number((n / MIB).toFixed(1))} MiB`;
  return `${Math.round(n / 1024)} KiB`;
}
