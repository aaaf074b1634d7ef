import { AppError } from '../errors.js';
import type { Sql } from '../sql.js';
import type { CounterValues } from './series.js';
import { slotStart } from './tiers.js';
import type { UsageRecord } from './usage.js';

/*
 * Every amount is a JavaScript number, so every sum must stay below 2^53 to stay exact (see
 * ARCHITECTURE.md, "Exact sums"). A record is bounded, and so is each 1-hour slot of a town: every
 * 5 s, 1 min and 10 min row and every breakdown row is part of one hour, and every query, budget or
 * bill sums at most the hours a town keeps. bounds.test.ts checks the arithmetic against the tiers.
 */

/** Tokens of one kind in one usage record. */
export const MAX_RECORD_TOKENS = 1_000_000_000;
/** Cost of one usage record: $10,000. */
export const MAX_RECORD_COST_MICRODOLLARS = 10_000_000_000;
/** Tokens of one kind a town may count in one hour of event time. */
export const MAX_HOUR_TOKENS = 100_000_000_000;
/** Cost a town may count in one hour of event time: $100,000. */
export const MAX_HOUR_COST_MICRODOLLARS = 100_000_000_000;

const HOUR_MS = 3_600_000;

/** The amounts a usage record carries, in the order of the `usage_records` and rollup columns. */
export const USAGE_AMOUNTS = [
  ['inputTokens', 'input_tokens', MAX_HOUR_TOKENS],
  ['outputTokens', 'output_tokens', MAX_HOUR_TOKENS],
  ['reasoningTokens', 'reasoning_tokens', MAX_HOUR_TOKENS],
  ['cacheReadTokens', 'cache_read_tokens', MAX_HOUR_TOKENS],
  ['cacheWriteTokens', 'cache_write_tokens', MAX_HOUR_TOKENS],
  ['costMicrodollars', 'cost_microdollars', MAX_HOUR_COST_MICRODOLLARS],
] as const satisfies readonly (readonly [keyof UsageRecord, keyof CounterValues, number])[];

const SELECT_HOUR = `SELECT ${USAGE_AMOUNTS.map(([, c]) => c).join(', ')} FROM rollup_1h WHERE t = ?`;

/**
 * What each hour of the town holds, as stored plus what this ingest transaction has added so far. The
 * stored row is read once per hour and transaction (rows are written when the transaction finishes).
 */
export class HourTotals {
  private readonly totals = new Map<number, number[]>();

  constructor(private readonly sql: Sql) {}

  /** One request's additions: checked as they come, kept apart until the request is counted in full. */
  job(): HourJob {
    return new HourJob(this);
  }

  total(hour: number): number[] {
    let t = this.totals.get(hour);
    if (!t) {
      const row = this.sql.rows(SELECT_HOUR, hour)[0] as number[] | undefined;
      t = row ? [...row] : USAGE_AMOUNTS.map(() => 0);
      this.totals.set(hour, t);
    }
    return t;
  }
}

export class HourJob {
  private readonly added = new Map<number, number[]>();

  constructor(private readonly hours: HourTotals) {}

  /**
   * Adds one record's increase at event time `at`; refuses (400, naming `records[index].<amount>`) an
   * increase that would take its hour past a bound.
   */
  add(at: number, increase: readonly number[], index: number): void {
    const hour = slotStart(at, HOUR_MS);
    let added = this.added.get(hour);
    if (!added) {
      added = USAGE_AMOUNTS.map(() => 0);
      this.added.set(hour, added);
    }
    const stored = this.hours.total(hour);
    for (let i = 0; i < USAGE_AMOUNTS.length; i++) {
      const sum = (stored[i] as number) + (added[i] as number) + (increase[i] as number);
      const [field, , max] = USAGE_AMOUNTS[i] as (typeof USAGE_AMOUNTS)[number];
      if (sum > max) {
        throw new AppError(
          'bad_request',
          `the hour from ${hour} (epoch ms) would hold ${sum} ${field}; a town counts at most ${max} per hour`,
          { path: `records[${index}].${field}` },
        );
      }
    }
    for (let i = 0; i < increase.length; i++) added[i] = (added[i] as number) + (increase[i] as number);
  }

  /** The request was counted in full: its additions become part of the transaction's totals. */
  commit(): void {
    for (const [hour, added] of this.added) {
      const total = this.hours.total(hour);
      added.forEach((d, i) => {
        total[i] = (total[i] as number) + d;
      });
    }
  }
}
