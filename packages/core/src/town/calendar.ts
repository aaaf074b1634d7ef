import { AppError } from '../errors.js';
import { keeps, TIERS, type Tier } from './tiers.js';

const DAY = 86_400_000;
/**
 * Formatters by zone, one per zone however it was spelled. Each costs the process about 30 KB, and a zone
 * has millions of spellings (`america/new_york`, `AMERICA/New_York`, … in any case, and aliases): keyed by
 * the spelling, one user's reads with a new one each grew the server by 290 MB per 10,000.
 */
const formats = new Map<string, Intl.DateTimeFormat>();
/** Spellings seen, to their zone's formatter: at most this many; past it a new spelling is resolved each time. */
const spellings = new Map<string, Intl.DateTimeFormat>();
export const MAX_ZONE_SPELLINGS = 10_000;

function format(tz: string): Intl.DateTimeFormat {
  const known = spellings.get(tz);
  if (known) return known;
  let f: Intl.DateTimeFormat;
  try {
    // biome-ignore lint/plugin/no-intl-per-call: built once per spelling, then kept in `spellings`
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch (err) {
    throw new AppError('bad_request', `unknown IANA time zone "${tz}"`, { path: 'tz', cause: err });
  }
  const zone = f.resolvedOptions().timeZone;
  // ICU's placeholder zone (offset "-00", no place): workerd's Intl takes it, Node 20's refuses it, so a budget or a
  // chart in it was a 200 on the Worker and a 400 on Node. Of the tz database's names it is the only one they differ on.
  if (zone.toLowerCase() === 'factory') throw new AppError('bad_request', `unknown IANA time zone "${tz}"`, { path: 'tz' });
  const shared = formats.get(zone) ?? f;
  if (shared === f) formats.set(zone, f);
  if (spellings.size < MAX_ZONE_SPELLINGS) spellings.set(tz, shared);
  return shared;
}

/** Formatters held, one per zone (for tests). */
export function zoneFormatters(): number {
  return formats.size;
}

/** How far the wall clock in `tz` is ahead of UTC at instant t (ms). */
export function utcOffset(t: number, tz: string): number {
  const p: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
  for (const part of format(tz).formatToParts(t)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year as number, (p.month as number) - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(t / 1000) * 1000;
}

/**
 * The zone's canonical name (`utc` → `UTC`), or bad_request on path `tz`. A zone is named, never an offset
 * (`+14:00`): some hosts' Intl take offsets (workerd) and others do not (Node 20), and each offset a minute
 * apart would be a zone of its own.
 */
export function canonicalZone(tz: string): string {
  if (!/^[A-Za-z]/.test(tz)) throw new AppError('bad_request', `unknown IANA time zone "${tz}"`, { path: 'tz' });
  return format(tz).resolvedOptions().timeZone;
}

/** The local calendar day (days since 1970-01-01 in `tz`) holding instant t. */
export function localDay(t: number, tz: string): number {
  return Math.floor((t + utcOffset(t, tz)) / DAY);
}

/**
 * The instant local calendar day `day` (days since 1970-01-01 in `tz`) begins: local midnight, or
 * where a DST change skips midnight (Santiago, Havana), the first instant of that day.
 */
export function localMidnight(day: number, tz: string): number {
  const wall = day * DAY;
  const guess = wall - utcOffset(wall, tz);
  const settled = wall - utcOffset(guess, tz); // a second pass settles a DST change between the guess and the answer
  if (localDay(settled, tz) === day) return settled;
  // Midnight did not exist: the day starts when the clocks jump, which is the guess (pre-change offset).
  return localDay(guess, tz) === day ? Math.min(guess, firstInstantOf(day, tz, settled, guess)) : guess;
}

/** The first instant (to the second) of local day `day`, between `before` (still the previous day) and `after` (already that day). */
function firstInstantOf(day: number, tz: string, before: number, after: number): number {
  let lo = before;
  let hi = after;
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2000) * 1000;
    if (localDay(mid, tz) === day) hi = mid;
    else lo = mid;
  }
  return hi;
}

export interface CalendarBuckets {
  /** Bucket i covers [starts[i], starts[i + 1]), the last one up to `end`. */
  starts: number[];
  end: number;
  tier: Tier;
}

/**
 * Buckets of `days` local days in `tz`, each starting at local midnight (23 or 25 hours long across
 * a DST change), aligned to multiples of `days` local days since 1970-01-01 so that zooming keeps
 * the same edges. Read from the coarsest tier that keeps `from` and whose slots fit every edge; where
 * none fits (a zone offset that is not a whole hour, beyond the 1-minute tier's 30 days), edges are
 * rounded down to the hour.
 */
export function calendarBuckets(from: number, to: number, days: number, tz: string, now: number): CalendarBuckets {
  const firstDay = Math.floor((from + utcOffset(from, tz)) / DAY);
  const alignedDay = Math.floor(firstDay / days) * days;
  const starts: number[] = [];
  let day = alignedDay;
  let next = localMidnight(day, tz);
  while (next < to) {
    starts.push(next);
    day += days;
    next = localMidnight(day, tz);
  }
  const edges = [...starts, next];
  const allowed = TIERS.filter((tier) => keeps(tier, starts[0] ?? from, now) || tier === TIERS.at(-1));
  const fitting = [...allowed].reverse().find((tier) => edges.every((e) => e % tier.resolutionMs === 0));
  const tier = fitting ?? (allowed[0] as Tier);
  const round = (e: number) => Math.floor(e / tier.resolutionMs) * tier.resolutionMs;
  return { starts: starts.map(round), end: round(next), tier };
}

/**
 * Calendar buckets of `step` (whole days), widened to the next step while more than maxPoints would
 * be needed: local midnights shift the edges by under a day, which can add a bucket.
 */
export function fitCalendarBuckets(
  from: number,
  to: number,
  step: number,
  tz: string,
  now: number,
  maxPoints: number,
): CalendarBuckets & { step: number } {
  // Edges align to local day 0, so a range across its midnight takes two buckets at any step: widening
  // would never fit one, and runs on to dates Intl refuses (a 500).
  const dayZero = localMidnight(0, tz);
  if (maxPoints < 2 && from < dayZero && dayZero < to) {
    throw new AppError('bad_request', `a range across 1970-01-01 00:00 in ${tz} needs maxPoints of at least 2`, {
      path: 'maxPoints',
    });
  }
  for (;;) {
    const buckets = calendarBuckets(from, to, step / DAY, tz, now);
    if (buckets.starts.length <= maxPoints) return { ...buckets, step };
    step = step < 2 * DAY ? 2 * DAY : step < 7 * DAY ? 7 * DAY : step * 2;
  }
}
