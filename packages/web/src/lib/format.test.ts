import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatAgo,
  formatAxisCount,
  formatAxisTime,
  formatBytes,
  formatCount,
  formatDuration,
  formatDurationLong,
  formatInteger,
  formatLocal,
  formatMoney,
  formatMoneyAxis,
  formatMoneyExact,
  formatMoneyPerHour,
  formatMoneySigned,
  formatPercent,
  formatStamp,
  formatStep,
  formatTime,
  moneyExactPadding,
} from './format.js';

describe('formatCount', () => {
  it('keeps three significant digits past a thousand', () => {
    expect([0, 7, 950, 999, 1000, 1234, 12_345, 123_456, 1_234_567, 4_560_000_000].map(formatCount)).toEqual([
      '0',
      '7',
      '950',
      '999',
      '1k',
      '1.23k',
      '12.3k',
      '123k',
      '1.23M',
      '4.56B',
    ]);
  });
  it('gives axis ticks the decimals they need', () => {
    expect([0, 0.25, 0.5, 1, 2.5, 12, 1500].map(formatAxisCount)).toEqual(['0', '0.25', '0.5', '1', '2.5', '12', '1.5k']);
  });
  it('shows one decimal for small fractional rates', () => {
    expect(formatCount(2.25)).toBe('2.3');
    expect(formatCount(12.6)).toBe('13');
  });
  it('shows two significant digits below 1, so a small non-zero rate never reads 0', () => {
    expect([0.042, 0.0423, 0.5, 0.05, 0.999, 0.0001234, 0.0000001, -0.042].map(formatCount)).toEqual([
      '0.042',
      '0.042',
      '0.5',
      '0.05',
      '1',
      '0.00012',
      '0.0000001',
      '-0.042',
    ]);
  });
  it('rounds 999.5 and up to 1k, never to 1000', () => {
    expect([999.4, 999.5, 999.9, 999.99, -999.7, 999_499, 999_500, 999_999].map(formatCount)).toEqual([
      '999',
      '1k',
      '1k',
      '1k',
      '-1k',
      '999k',
      '1M',
      '1M',
    ]);
  });
});

describe('money (integer microdollars in, dollars out)', () => {
  it('formats dollars, cents and fractions of a cent', () => {
    expect(formatMoney(0)).toBe('$0');
    expect(formatMoney(7_860)).toBe('$0.00786');
    expect(formatMoney(45_600)).toBe('$0.0456');
    expect(formatMoney(1_000_000)).toBe('$1.00');
    expect(formatMoney(69_842_117)).toBe('$69.84');
    expect(formatMoney(1_234_000_000)).toBe('$1.23k');
    expect(formatMoney(50)).toBe('<$0.0001');
    expect(formatMoneyPerHour(12_340_000)).toBe('$12.34/h');
  });
  it('shows every microdollar in a ledger, with a real minus sign', () => {
    expect(formatMoneyExact(0)).toBe('$0.00');
    expect(formatMoneyExact(10_000_000)).toBe('$10.00');
    expect(formatMoneyExact(7_750_000)).toBe('$7.75');
    expect(formatMoneyExact(225_000)).toBe('$0.225');
    expect(formatMoneyExact(1_234_567_891)).toBe('$1,234.567891');
    expect(formatMoneyExact(-2_250_000)).toBe('−$2.25');
    expect(formatMoneyExact(1)).toBe('$0.000001');
    expect(formatMoneySigned(10_000_000)).toBe('+$10.00');
    expect(formatMoneySigned(-225_000)).toBe('−$0.225');
  });
  it('pads a ledger amount to six decimals, so every amount with its padding has as many', () => {
    for (const m of [0, 10_000_000, 7_750_000, 225_000, 1_234_567_891, -2_250_000, 1, -2_386_980]) {
      const decimals = (formatMoneyExact(m).split('.')[1] as string) + moneyExactPadding(m);
      expect(decimals, String(m)).toMatch(/^\d{6}$/);
    }
  });
  it('rounds percentages down, so 99.6 % is not yet 100 %', () => {
    expect([0, 0.001, 0.29, 0.82, 0.9, 0.996, 1, 1.125].map(formatPercent)).toEqual([
      '0 %',
      '<1 %',
      '29 %',
      '82 %',
      '90 %',
      '99 %',
      '100 %',
      '112 %',
    ]);
  });
  it('keeps axis ticks short', () => {
    expect(formatMoneyAxis(150_000_000)).toBe('$150');
    expect(formatMoneyAxis(2_500_000)).toBe('$2.5');
    // One axis, one style: the Observability tab's cost-by-agent chart read $0, $0.5, $1.00.
    expect([0, 500_000, 1_000_000, 1_500_000, 4_000_000].map(formatMoneyAxis)).toEqual(['$0', '$0.5', '$1', '$1.5', '$4']);
    expect(formatMoneyAxis(1_234_567)).toBe('$1.23');
    expect(formatMoneyAxis(0)).toBe('$0');
  });
  it('writes a negative amount as the positive one with a minus sign, in every style', () => {
    expect(formatMoney(-2_250_000)).toBe('−$2.25');
    expect(formatMoney(-45_600)).toBe('−$0.0456');
    expect(formatMoney(-1_234_000_000)).toBe('−$1.23k');
    // The axis once wrote "$-12" and "$-1.2k" past $10.
    expect([-12_000_000, -1_200_000_000, -1_500_000, -500_000].map(formatMoneyAxis)).toEqual([
      '−$12',
      '−$1.2k',
      '−$1.5',
      '−$0.5',
    ]);
  });
  it('reads an amount nearer zero than $0.0001 as the bound it lies within, on either side of zero', () => {
    expect(formatMoney(50)).toBe('<$0.0001');
    // Once "-<$0.0001": a tiny negative balance.
    expect(formatMoney(-50)).toBe('>−$0.0001');
    expect(formatMoney(-1)).toBe('>−$0.0001');
    expect(formatMoney(-0.25)).toBe('>−$0.0001');
    expect(formatMoneyAxis(-50)).toBe('>−$0.0001');
    expect(formatMoneyPerHour(-50)).toBe('>−$0.0001/h');
    expect(formatMoney(-0)).toBe('$0');
  });
  it('writes a rounding edge as the amount it rounds to ($0.9996 is $1.00, $999.996 is $1k)', () => {
    expect(formatMoney(999_600)).toBe('$1.00');
    expect(formatMoney(999_996_000)).toBe('$1k');
    expect(formatMoney(-999_996_000)).toBe('−$1k');
    expect(formatMoneyAxis(999_600_000)).toBe('$1k');
    expect(formatMoneyAxis(9_996_000)).toBe('$10');
  });
  it('reads not-a-number as a dash, never NaN or Infinity', () => {
    for (const v of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(formatMoney(v)).toBe('—');
      expect(formatMoneyAxis(v)).toBe('—');
      expect(formatCount(v)).toBe('—');
      expect(formatInteger(v)).toBe('—');
      expect(formatAxisCount(v)).toBe('—');
    }
  });
  it('property: over every sign and magnitude, one minus sign before the dollar, no "-<", no zero shown for a non-zero amount', () => {
    // Magnitudes from a fraction of a microdollar to past a trillion dollars, both signs, integers and not.
    const amount = fc.oneof(
      fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
      fc.double({ min: -1e21, max: 1e21, noNaN: true }),
      fc
        .tuple(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: -3, max: 15 }), fc.boolean())
        .map(([m, e, neg]) => (neg ? -1 : 1) * m * 10 ** e),
    );
    fc.assert(
      fc.property(amount, fc.constantFrom('short', 'axis') as fc.Arbitrary<'short' | 'axis'>, (v, style) => {
        const text = formatMoney(v, style);
        expect(text).not.toMatch(/NaN|Infinity|e[+-]?\d|-<|\u2212<|--|\u2212\u2212|\$-/);
        if (v === 0) {
          expect(text).toBe('$0');
          return;
        }
        const tiny = Math.abs(v) < 100;
        // A non-zero amount never reads as zero: "$0", "$0.0000", "−$0.00".
        expect(text).not.toMatch(/^\u2212?\$0(\.0*)?$/);
        if (v > 0) expect(text).toMatch(tiny ? /^<\$0\.0001$/ : /^\$\d/);
        else expect(text).toMatch(tiny ? /^>\u2212\$0\.0001$/ : /^\u2212\$\d/);
        // Either sign, the same digits.
        if (!tiny) expect(text.replace('\u2212', '')).toBe(formatMoney(-v, style).replace('\u2212', ''));
      }),
      { numRuns: 2000 },
    );
  });
  it('formats exact integers for tables', () => {
    expect(formatInteger(1234567)).toBe('1,234,567');
  });
});

describe('durations and times', () => {
  it('says how long ago in the largest whole unit', () => {
    expect(formatAgo(500)).toBe('just now');
    expect(formatAgo(12_900)).toBe('12 s ago');
    expect(formatDuration(90_000)).toBe('1 min');
    expect(formatDuration(3 * 3_600_000)).toBe('3 h');
    expect(formatDuration(2 * 86_400_000)).toBe('2 d');
  });
  it('gives a span in its two largest units', () => {
    expect(formatDurationLong(0)).toBe('0 s');
    expect(formatDurationLong(45_900)).toBe('45 s');
    expect(formatDurationLong(200_000)).toBe('3 min 20 s');
    expect(formatDurationLong(12_400_000)).toBe('3 h 26 min');
    expect(formatDurationLong(3 * 3_600_000)).toBe('3 h');
    expect(formatDurationLong((2 * 24 + 4) * 3_600_000 + 59_000)).toBe('2 d 4 h');
    expect(formatDurationLong(400 * 86_400_000)).toBe('more than a year');
  });
  it('names a bucket size', () => {
    expect([5000, 30_000, 60_000, 600_000, 3_600_000, 86_400_000, 2500].map(formatStep)).toEqual([
      '5 s',
      '30 s',
      '1 min',
      '10 min',
      '1 h',
      '1 d',
      '2500 ms',
    ]);
  });
  it('shows a time as precisely as its bucket', () => {
    const at = Date.UTC(2026, 10, 25, 14, 5, 30);
    expect(formatTime(at, 5000, 'UTC')).toBe('14:05:30');
    expect(formatTime(at, 60_000, 'UTC')).toBe('14:05');
    expect(formatTime(at, 3_600_000, 'UTC')).toBe('25 Nov, 14:05');
    expect(formatTime(at, 86_400_000, 'UTC')).toBe('25 Nov');
    expect(formatAxisTime(at, 10_000, 'UTC')).toBe('14:05:30');
    expect(formatAxisTime(at, 600_000, 'UTC')).toBe('14:05');
    expect(formatAxisTime(at, 86_400_000, 'UTC')).toBe('25 Nov');
    // Midnight is the day it starts, in the time zone shown, at any tick size.
    const midnight = Date.UTC(2026, 10, 26);
    expect(formatAxisTime(midnight, 12 * 3_600_000, 'UTC')).toBe('26 Nov');
    expect(formatAxisTime(midnight, 10_000, 'UTC')).toBe('26 Nov');
    expect(formatAxisTime(midnight, 12 * 3_600_000, 'Asia/Tokyo')).toBe('09:00');
    expect(formatAxisTime(midnight - 9 * 3_600_000, 3_600_000, 'Asia/Tokyo')).toBe('26 Nov');
    // The browser's own locale, as Date's toLocaleString() shows it (the event feed's title).
    expect(formatLocal(at)).toBe(new Date(at).toLocaleString());
  });

  it('stamps a moment with its date, to the second where order within a minute matters', () => {
    const at = Date.UTC(2026, 10, 25, 14, 5, 30);
    expect(formatStamp(at, false, 'UTC')).toBe('25 Nov, 14:05');
    expect(formatStamp(at, true, 'UTC')).toBe('25 Nov, 14:05:30');
  });
});

describe('formatBytes', () => {
  it('writes binary units, as the storage quota counts: KiB below a MiB, MiB below a GiB, one decimal at most', () => {
    const MiB = 1024 * 1024;
    expect(
      [0, 300_000, MiB - 1, MiB, 12.34 * MiB, 1023 * MiB, 1024 * MiB, 10_240 * MiB, 1_048_576 * MiB].map(formatBytes),
    ).toEqual(['0 KiB', '293 KiB', '1024 KiB', '1 MiB', '12.3 MiB', '1023 MiB', '1 GiB', '10 GiB', '1024 GiB']);
  });
});
