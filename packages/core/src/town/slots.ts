import type { Sql } from '../sql.js';
import { USAGE_AMOUNTS } from './bounds.js';
import { addInto, COUNTERS, type CounterValues, isZero, zeroCounters } from './series.js';
import { RAW_TIER, slotStart, TIERS, tiersCovering } from './tiers.js';

const upsertCounters = new Map(
  TIERS.map((tier) => [
    tier.table,
    `INSERT INTO ${tier.table} (t, ${COUNTERS.join(', ')}) VALUES (?${', ?'.repeat(COUNTERS.length)})
     ON CONFLICT (t) DO UPDATE SET ${COUNTERS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`,
  ]),
);

/**
 * Counter deltas of one ingest batch, grouped by the raw slot of their event time.
 * Grouping first keeps a 500-record batch to a few upserts per tier.
 */
export class SlotCounters {
  private readonly bySlot = new Map<number, CounterValues>();

  add(at: number, delta: Partial<CounterValues>): void {
    addInto(this.slot(at), delta);
  }

  private slot(at: number): CounterValues {
    const slot = slotStart(at, RAW_TIER.resolutionMs);
    let values = this.bySlot.get(slot);
    if (!values) {
      values = zeroCounters();
      this.bySlot.set(slot, values);
    }
    return values;
  }

  /** A usage increase (USAGE_AMOUNTS order) at `at`: per record, so no object per record. */
  addUsage(at: number, amounts: readonly number[]): void {
    const values = this.slot(at);
    for (let i = 0; i < USAGE_AMOUNTS.length; i++)
      values[(USAGE_AMOUNTS[i] as (typeof USAGE_AMOUNTS)[number])[1]] += amounts[i] as number;
  }

  /** Adds every slot's counters to each tier that still keeps that time. Call inside the ingest transaction. */
  flush(sql: Sql, now: number): void {
    for (const [slot, values] of this.bySlot) {
      if (isZero(values)) continue;
      const params = COUNTERS.map((c) => values[c]);
      for (const tier of tiersCovering(slot, now)) {
        sql.run(upsertCounters.get(tier.table) as string, slotStart(slot, tier.resolutionMs), ...params);
      }
    }
    this.bySlot.clear();
  }
}
