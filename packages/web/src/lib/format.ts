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
  return GROUPED.format(Math.round(n));
}

/** $12.34 for dollars and up; three significant digits below a dollar ($0.0456), $0 for zero. */
export function formatMoney(microdollars: number): string {
  const usd = microdollars / MICRO;
  const abs = Math.abs(usd);
  if (abs === 0) return '$0';
  const sign = usd < 0 ? '-' : '';
  if (abs >= 1000) return `${sign}$${formatCount(abs)}`;
  if (abs >= 1) return `${sign}$${abs.toFixed(2)}`;
  if (abs < 0.0001) return `${sign}<$0.0001`;
  return `${sign}$${Number(abs.toPrecision(3))}`;
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
  return `${n < 0 ? '−' : ''}$${GROUPED.format(Math.floor(abs / MICRO))}.${cents}`;
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

/** An x-axis tick: seconds when ticks are seconds apart, hours and minutes within a day, else the date. */
export function formatAxisTime(at: number, tickMs: number, timeZone?: string): string {
  const opts: Intl.DateTimeFormatOptions =
    tickMs >= 86_400_000 ? { month: 'short', day: 'numeric' } : { hour: '2-digit', minute: '2-digit', hour12: false };
  if (tickMs < 60_000) opts.second = '2-digit';
  if (timeZone) opts.timeZone = timeZone;
  return dateTimeFormat('en-GB', opts).format(at);
}

/**
 * Money on an axis: whole dollars from $10, cents below without trailing zeros, so ticks stay short and
 * agree with each other ($0.5, $1, $1.5: formatMoney's $1.00 stood beside $0.5 on one axis).
 */
export function formatMoneyAxis(microdollars: number): string {
  const usd = microdollars / MICRO;
  if (usd === 0) return '$0';
  if (Math.abs(usd) >= 1000) return `$${formatCount(usd)}`;
  if (Math.abs(usd) >= 10) return `$${Math.round(usd)}`;
  if (Math.abs(usd) >= 1) return `${usd < 0 ? '-' : ''}$${Number(Math.abs(usd).toFixed(2))}`;
  return formatMoney(microdollars);
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
