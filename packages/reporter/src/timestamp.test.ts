import { describe, expect, it } from 'vitest';
import { parseTimestamp } from './timestamp.js';

describe('parseTimestamp', () => {
  it('reads RFC 3339 with a zone, and nothing else', () => {
    expect(parseTimestamp('2026-06-08T10:00:00Z')).toBe(Date.UTC(2026, 5, 8, 10));
    expect(parseTimestamp('2026-06-08T10:00:00.5Z')).toBe(Date.UTC(2026, 5, 8, 10, 0, 0, 500));
    expect(parseTimestamp('2026-06-08T10:00:00.123456789Z')).toBe(Date.UTC(2026, 5, 8, 10, 0, 0, 123));
    expect(parseTimestamp('2026-06-08T10:00:00+02:00')).toBe(Date.UTC(2026, 5, 8, 8));
    expect(parseTimestamp('2026-06-08T10:00:00-00:30')).toBe(Date.UTC(2026, 5, 8, 10, 30));
    expect(parseTimestamp('2028-02-29T00:00:00Z')).toBe(Date.UTC(2028, 1, 29));
    // Years below 100 are those years (Date.UTC would read 0099 as 1999).
    expect(parseTimestamp('0099-01-01T00:00:00Z')).toBe(new Date('0099-01-01T00:00:00Z').getTime());
    for (const bad of [
      '2026-06-08T10:00:00', // no zone: Date.parse reads it as local time, another number on another machine
      '2026-06-08',
      '2026-06-08 10:00:00Z',
      '2026-06-08t10:00:00z',
      '2026-02-29T10:00:00Z', // Date.parse: March 1
      '2026-04-31T10:00:00Z',
      '2026-06-08T24:00:00Z',
      '2026-06-08T10:60:00Z',
      '2026-06-08T10:00:60Z',
      '2026-06-08T10:00:00+24:00',
      '2026-06-08T10:00:00+0200',
      '2026-06-08T10:00:00.1234567891Z',
      ' 2026-06-08T10:00:00Z',
      'Mon, 08 Jun 2026 10:00:00 GMT',
      '1780912800000',
    ]) {
      expect([bad, parseTimestamp(bad)]).toEqual([bad, undefined]);
    }
  });

  it("reads Claude transcripts' times as ccusage 20.0.24 does: no fraction or three digits", () => {
    expect(parseTimestamp('2026-06-08T10:00:00Z', 'three')).toBe(Date.UTC(2026, 5, 8, 10));
    expect(parseTimestamp('2026-06-08T10:00:00.123+05:30', 'three')).toBe(Date.UTC(2026, 5, 8, 4, 30, 0, 123));
    for (const bad of ['2026-06-08T10:00:00.5Z', '2026-06-08T10:00:00.12Z', '2026-06-08T10:00:00.123456Z']) {
      expect([bad, parseTimestamp(bad, 'three')]).toEqual([bad, undefined]);
    }
  });

  it('gives back every instant toISOString writes, from year 0 to 9999 (a fixed-seed sweep)', () => {
    let x = 12345;
    const next = () => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x / 2 ** 32;
    };
    const lo = new Date('0000-01-01T00:00:00Z').getTime();
    const hi = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    for (let i = 0; i < 20_000; i++) {
      const at = Math.floor(lo + next() * (hi - lo));
      const iso = new Date(at).toISOString();
      expect([iso, parseTimestamp(iso), parseTimestamp(iso, 'three')]).toEqual([iso, at, at]);
    }
  });
});
