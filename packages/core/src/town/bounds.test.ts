import { fileTown, usageRecord } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import {
  MAX_HOUR_COST_MICRODOLLARS,
  MAX_HOUR_TOKENS,
  MAX_RECORD_COST_MICRODOLLARS,
  MAX_RECORD_TOKENS,
  USAGE_AMOUNTS,
} from './bounds.js';
import { MAX_RETENTION_MS } from './tiers.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 1, 12);

describe('bounds keep every sum exact', () => {
  it('no sum over the hours a town keeps reaches 2^53', () => {
    // Hours a 1 h row can exist for: the retention, plus the hour under way.
    const hours = MAX_RETENTION_MS / HOUR + 1;
    const tokenKinds = USAGE_AMOUNTS.length - 1;
    expect(MAX_RECORD_TOKENS).toBeLessThanOrEqual(MAX_HOUR_TOKENS);
    expect(MAX_RECORD_COST_MICRODOLLARS).toBeLessThanOrEqual(MAX_HOUR_COST_MICRODOLLARS);
    // A timeseries or budget over everything kept; a breakdown row sums every token kind.
    expect(hours * MAX_HOUR_COST_MICRODOLLARS).toBeLessThan(Number.MAX_SAFE_INTEGER);
    expect(hours * tokenKinds * MAX_HOUR_TOKENS).toBeLessThan(Number.MAX_SAFE_INTEGER);
  });
});

describe('per-hour bounds at ingest', () => {
  const at = T0 + 10 * 60_000;
  const refusal = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      if (err instanceof AppError) return { status: err.status, path: err.path };
      throw err;
    }
    throw new Error('not refused');
  };

  it('accepts an hour filled to the bound and refuses one microdollar more, storing nothing of that request', () => {
    const now = { t: T0 + HOUR - 1 };
    const town = fileTown(now);
    const full = Array.from({ length: MAX_HOUR_COST_MICRODOLLARS / MAX_RECORD_COST_MICRODOLLARS }, (_, i) =>
      usageRecord({ id: `big${i}`, at, costMicrodollars: MAX_RECORD_COST_MICRODOLLARS }),
    );
    expect(town.ingestUsage(full)).toMatchObject({ accepted: full.length });
    const over = [usageRecord({ id: 'ok', at, inputTokens: 5 }), usageRecord({ id: 'one', at: at + 1, costMicrodollars: 1 })];
    expect(refusal(() => town.ingestUsage(over))).toEqual({ status: 400, path: 'records[1].costMicrodollars' });
    // Nothing of the refused request: 'ok' is not known, and the hour still holds exactly the bound.
    expect(town.ingestUsage([usageRecord({ id: 'ok', at, inputTokens: 5 })])).toMatchObject({ accepted: 1 });
    const hour = town.timeseries({ from: T0, to: T0 + HOUR, maxPoints: 1 });
    expect(hour.series.cost_microdollars).toEqual([MAX_HOUR_COST_MICRODOLLARS]);
    expect(hour.series.input_tokens).toEqual([5]);
    // The next hour is its own.
    now.t = T0 + 2 * HOUR;
    expect(town.ingestUsage([usageRecord({ id: 'next', at: T0 + HOUR, costMicrodollars: 1 })])).toMatchObject({ accepted: 1 });
  });

  it('bounds each token kind per hour, and counts only a cumulative record’s increase', () => {
    const now = { t: T0 + HOUR - 1 };
    const town = fileTown(now);
    const n = MAX_HOUR_TOKENS / MAX_RECORD_TOKENS;
    const records = Array.from({ length: n - 1 }, (_, i) => usageRecord({ id: `c${i}`, at, cacheReadTokens: MAX_RECORD_TOKENS }));
    town.ingestUsage(records);
    // The last one grows in steps: re-sending its totals adds only the increase, up to the bound exactly.
    const last = (cacheReadTokens: number) => usageRecord({ id: 'last', at, mode: 'cumulative', cacheReadTokens });
    expect(town.ingestUsage([last(10), last(MAX_RECORD_TOKENS)])).toMatchObject({ accepted: 2 });
    expect(town.ingestUsage([last(MAX_RECORD_TOKENS)])).toMatchObject({ duplicates: 1 });
    expect(refusal(() => town.ingestUsage([usageRecord({ id: 'x', at, cacheReadTokens: 1 })]))).toEqual({
      status: 400,
      path: 'records[0].cacheReadTokens',
    });
    expect(town.timeseries({ from: T0, to: T0 + HOUR, maxPoints: 1 }).series.cache_read_tokens).toEqual([MAX_HOUR_TOKENS]);
  });
});
