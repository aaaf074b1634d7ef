import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { chooseResolution, MAX_MAX_POINTS, STEPS } from './resolution.js';
import { TIERS } from './tiers.js';

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 1, 12);

/** STEPS, then 14 d, 28 d, 56 d, ... (the documented growth past the table). */
const CANDIDATES = [...STEPS, ...Array.from({ length: 20 }, (_, k) => 14 * DAY * 2 ** k)];

/** The finest slot the docs allow for a range starting at `from`: raw within 7 d, 1 min within 30 d, else 1 h. */
function finestAllowed(from: number, now: number): number {
  if (from >= now - 7 * DAY) return 5 * SEC;
  if (from >= now - 30 * DAY) return MIN;
  return HOUR;
}

const countFor = (from: number, to: number, step: number) => Math.ceil((to - Math.floor(from / step) * step) / step);

function badRequest(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('bad_request');
    return e as AppError;
  }
  throw new Error('expected chooseResolution to throw');
}

describe('chooseResolution', () => {
  it('picks the smallest step with at most maxPoints buckets', () => {
    const hour = { from: NOW - HOUR, to: NOW };
    expect(chooseResolution(hour.from, hour.to, NOW, 720)).toMatchObject({ step: 5 * SEC, start: hour.from, count: 720 });
    expect(chooseResolution(hour.from, hour.to, NOW, 719)).toMatchObject({ step: 10 * SEC, count: 360 });
    expect(chooseResolution(hour.from, hour.to, NOW, 360)).toMatchObject({ step: 10 * SEC, count: 360 });
    expect(chooseResolution(hour.from, hour.to, NOW, 359)).toMatchObject({ step: 15 * SEC, count: 240 });
    // One ms past the hour needs one more aligned bucket, so 10 s no longer fits 360.
    expect(chooseResolution(hour.from, hour.to + 1, NOW, 360)).toMatchObject({ step: 15 * SEC, count: 241 });
    // Buckets are aligned to multiples of the step, not to `from`.
    expect(chooseResolution(NOW - 7_500, NOW, NOW, 2)).toMatchObject({ step: 5 * SEC, start: NOW - 10_000, count: 2 });
    // maxPoints defaults to 500: a day is 288 buckets of 5 min (10 min would be 144, 2 min 720).
    expect(chooseResolution(NOW - DAY, NOW, NOW)).toMatchObject({ step: 5 * MIN, count: 288 });
    expect(chooseResolution(NOW - DAY, NOW, NOW, MAX_MAX_POINTS)).toMatchObject({ step: 30 * SEC, count: 2880 });
  });

  it('is the smallest allowed candidate that fits, with aligned start and count (property)', () => {
    const arb = fc.record({
      from: fc.integer({ min: NOW - 450 * DAY, max: NOW - 1 }),
      span: fc.oneof(
        fc.integer({ min: 1, max: MIN }),
        fc.integer({ min: 1, max: DAY }),
        fc.integer({ min: 1, max: 40 * DAY }),
        fc.integer({ min: 1, max: 500 * DAY }),
      ),
      maxPoints: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: MAX_MAX_POINTS })),
    });
    fc.assert(
      fc.property(arb, ({ from, span, maxPoints }) => {
        const to = from + span;
        const r = chooseResolution(from, to, NOW, maxPoints);
        expect(CANDIDATES).toContain(r.step);
        expect(r.step).toBeGreaterThanOrEqual(finestAllowed(from, NOW));
        expect(r.start).toBe(Math.floor(from / r.step) * r.step);
        expect(r.count).toBe(countFor(from, to, r.step));
        expect(r.count).toBeLessThanOrEqual(maxPoints);
        expect(r.start).toBeLessThanOrEqual(from);
        expect(r.start + r.count * r.step).toBeGreaterThanOrEqual(to);
        for (const smaller of CANDIDATES.filter((c) => c < r.step && c >= finestAllowed(from, NOW))) {
          expect(countFor(from, to, smaller)).toBeGreaterThan(maxPoints);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('reads the coarsest tier whose resolution divides the step', () => {
    const expectedTable = (step: number) =>
      step % HOUR === 0 ? 'rollup_1h' : step % (10 * MIN) === 0 ? 'rollup_10m' : step % MIN === 0 ? 'rollup_1m' : 'snapshots';
    for (const step of STEPS) {
      // Exactly 10 aligned buckets of `step`: every smaller step needs more than 10.
      const from = Math.floor(NOW / step) * step - 10 * step;
      const r = chooseResolution(from, from + 10 * step, NOW, 10);
      expect(r.step).toBe(step);
      expect(r.count).toBe(10);
      expect(r.tier.table).toBe(expectedTable(step));
      expect(step % r.tier.resolutionMs).toBe(0);
      for (const coarser of TIERS.filter((t) => t.resolutionMs > r.tier.resolutionMs)) {
        expect(step % coarser.resolutionMs).not.toBe(0);
      }
    }
    const twoMonths = chooseResolution(NOW - 60 * DAY, NOW, NOW, 2);
    expect(twoMonths.step).toBeGreaterThan(7 * DAY);
    expect(twoMonths.tier.table).toBe('rollup_1h');
  });

  it('never goes finer than 1 min for a range starting over 7 days ago, nor finer than 1 h over 30 days ago', () => {
    const short = (from: number) => chooseResolution(from, from + SEC, NOW, MAX_MAX_POINTS);
    expect(short(NOW - 7 * DAY)).toMatchObject({ step: 5 * SEC, tier: { table: 'snapshots' } });
    expect(short(NOW - 7 * DAY - 1)).toMatchObject({ step: MIN, tier: { table: 'rollup_1m' } });
    expect(short(NOW - 30 * DAY)).toMatchObject({ step: MIN, tier: { table: 'rollup_1m' } });
    expect(short(NOW - 30 * DAY - 1)).toMatchObject({ step: HOUR, tier: { table: 'rollup_1h' } });
    expect(short(NOW - 500 * DAY)).toMatchObject({ step: HOUR, tier: { table: 'rollup_1h' } });

    const arb = fc.record({
      age: fc.integer({ min: 7 * DAY + 1, max: 450 * DAY }),
      span: fc.oneof(fc.integer({ min: 1, max: HOUR }), fc.integer({ min: 1, max: 60 * DAY })),
      maxPoints: fc.integer({ min: 1, max: MAX_MAX_POINTS }),
    });
    fc.assert(
      fc.property(arb, ({ age, span, maxPoints }) => {
        const from = NOW - age;
        const { step } = chooseResolution(from, from + span, NOW, maxPoints);
        expect(step).toBeGreaterThanOrEqual(MIN);
        if (age > 30 * DAY) expect(step).toBeGreaterThanOrEqual(HOUR);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects bad input with bad_request and the field at fault', () => {
    const ok = { from: NOW - HOUR, to: NOW };
    expect(badRequest(() => chooseResolution(ok.from, ok.from, NOW)).path).toBe('to');
    expect(badRequest(() => chooseResolution(ok.to, ok.from, NOW)).path).toBe('to');
    for (const maxPoints of [0, -1, MAX_MAX_POINTS + 1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(badRequest(() => chooseResolution(ok.from, ok.to, NOW, maxPoints)).path).toBe('maxPoints');
    }
    for (const from of [ok.from + 0.5, Number.NaN, Number.NEGATIVE_INFINITY, Number.MAX_SAFE_INTEGER + 2]) {
      expect(badRequest(() => chooseResolution(from, ok.to, NOW)).path).toBe('from');
    }
    // The limits themselves are accepted.
    expect(chooseResolution(ok.from, ok.to, NOW, 1).count).toBe(1);
    expect(chooseResolution(ok.from, ok.to, NOW, MAX_MAX_POINTS).step).toBe(5 * SEC);
  });

  // Regression: at 1822aae the day multiples stopped after the first one longer than the span, but a
  // step longer than the span can still need 2 aligned buckets, so this threw "range too long for maxPoints".
  it('gives one bucket for a short range across a 28-day boundary with maxPoints 1', () => {
    const boundary = Math.floor(NOW / (28 * DAY)) * 28 * DAY; // 2026-10-22T00:00Z, 10.5 days before NOW
    const r = chooseResolution(boundary - 1, boundary + 1, NOW, 1);
    expect(r).toMatchObject({ step: 56 * DAY, start: Math.floor((boundary - 1) / (56 * DAY)) * 56 * DAY, count: 1 });
    expect(r.start + r.step).toBeGreaterThanOrEqual(boundary + 1);
  });

  // Regression: at 1822aae a non-integer `to` was reported with path 'from'.
  it("names 'to' when `to` is not an integer", () => {
    for (const to of [NOW + 0.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(badRequest(() => chooseResolution(NOW - HOUR, to, NOW)).path).toBe('to');
    }
  });
});
