import { fileTown, usageRecord } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { localMidnight, utcOffset } from './calendar.js';
import type { UsageRecord } from './usage.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const rec = (id: string, at: number, inputTokens: number): UsageRecord => usageRecord({ id, at, inputTokens });

describe('time-zone day buckets', () => {
  it('finds local midnight across a DST change', () => {
    // New York: EDT (−4 h) until 2026-11-01 02:00 local, then EST (−5 h).
    expect(utcOffset(Date.UTC(2026, 9, 31, 12), 'America/New_York')).toBe(-4 * HOUR);
    expect(utcOffset(Date.UTC(2026, 10, 2, 12), 'America/New_York')).toBe(-5 * HOUR);
    const nov1 = Date.UTC(2026, 10, 1) / DAY;
    expect(localMidnight(nov1, 'America/New_York')).toBe(Date.UTC(2026, 10, 1, 4));
    expect(localMidnight(nov1 + 1, 'America/New_York')).toBe(Date.UTC(2026, 10, 2, 5));
    expect(localMidnight(nov1, 'Asia/Kolkata')).toBe(Date.UTC(2026, 9, 31, 18, 30));
  });

  it('sums each local day, the 25-hour one included, and leaves days without data null', () => {
    const now = { t: Date.UTC(2026, 10, 10) };
    const town = fileTown(now);
    const tz = 'America/New_York';
    // 23:30 local on Oct 31 (EDT) and 23:30 local on Nov 1 (EST: the 25-hour day), and one on Nov 3.
    town.ingestUsage([
      rec('a', Date.UTC(2026, 10, 1, 3, 30), 1),
      rec('b', Date.UTC(2026, 10, 2, 4, 30), 10),
      rec('c', Date.UTC(2026, 10, 2, 4, 59), 100),
      rec('d', Date.UTC(2026, 10, 3, 15), 1000),
    ]);
    const from = Date.UTC(2026, 9, 31, 4);
    const ts = town.timeseries({ from, to: from + 4 * DAY, maxPoints: 5, tz });
    expect(ts.step).toBe(DAY);
    expect(ts.t).toEqual([
      Date.UTC(2026, 9, 31, 4),
      Date.UTC(2026, 10, 1, 4),
      Date.UTC(2026, 10, 2, 5),
      Date.UTC(2026, 10, 3, 5),
    ]);
    expect(ts.series.input_tokens).toEqual([1, 110, null, 1000]);
    // UTC day buckets of the same range split the same records differently.
    const utc = town.timeseries({ from, to: from + 4 * DAY, maxPoints: 5 });
    expect(utc.t[0]).toBe(Date.UTC(2026, 9, 31));
    expect(utc.series.input_tokens).toEqual([null, 1, 110, 1000, null]);
    // Never more buckets than asked for: with 4, local alignment needs a coarser step.
    expect(town.timeseries({ from: from + HOUR, to: from + 4 * DAY + 2 * HOUR, maxPoints: 4, tz }).t.length).toBeLessThanOrEqual(
      4,
    );
  });

  it('refuses an unknown zone naming the field', () => {
    const town = fileTown({ t: Date.UTC(2026, 10, 10) });
    const call = () => town.timeseries({ from: 0, to: Date.UTC(2026, 10, 1), maxPoints: 10, tz: 'Mars/Olympus' });
    expect(call).toThrow(AppError);
    expect(call).toThrow(/unknown IANA time zone/);
  });
});
