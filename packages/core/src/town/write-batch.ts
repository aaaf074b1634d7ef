import type { Sql } from '../sql.js';
import { HourTotals } from './bounds.js';
import { BreakdownCounters } from './breakdown.js';
import { SlotCounters } from './slots.js';
import { touchIngest } from './state.js';
import { UsageTotalCounters } from './totals.js';
import type { UsageIds } from './usage-ids.js';

/**
 * The writes of one ingest transaction, which may serve several requests at once (group commit):
 * counter increases are grouped by slot (and by agent and model) and written once at the end.
 */
export class WriteBatch {
  readonly slots = new SlotCounters();
  readonly byAgentModel = new BreakdownCounters();
  readonly totals = new UsageTotalCounters();
  /** Each touched hour's usage, stored plus added by this transaction, for the per-hour bounds. */
  readonly hours: HourTotals;
  /** Usage record ids inserted by this transaction (rowid by id); the tail index learns them on commit. */
  readonly newUsageIds = new Map<string, number>();
  /** The earliest event time of cost this transaction added: billing looks from there. */
  costFrom: number | null = null;
  private lastRowid: number | undefined;

  constructor(
    readonly sql: Sql,
    readonly now: number,
    readonly usageIds: UsageIds,
  ) {
    this.hours = new HourTotals(sql);
  }

  /** The rowid for the next usage record this transaction inserts (UsageIds.nextRowid, then counted on). */
  usageRowid(): number {
    this.lastRowid = this.lastRowid === undefined ? this.usageIds.nextRowid() : this.lastRowid + 1;
    return this.lastRowid;
  }

  finish(): void {
    this.slots.flush(this.sql, this.now);
    this.byAgentModel.flush(this.sql, this.now);
    this.totals.flush(this.sql);
    touchIngest(this.sql, this.now, this.costFrom);
  }
}
