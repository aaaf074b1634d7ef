import type { Sql } from '../sql.js';
import { forEachAtEventTime, type TimeTally } from './event-time.js';
import type { UsageMode } from './usage.js';
import type { WriteBatch } from './write-batch.js';

/**
 * What agents did besides spending (Claude Code's `lines_of_code`, `commit`, `pull_request`,
 * `session` and `active_time` metrics), counted per town since it began, by kind. Not the
 * lines-of-code gauge: that is each agent's outstanding diff now, these are lines changed over time.
 */
export const ACTIVITY_KINDS = ['lines_added', 'lines_removed', 'commits', 'pull_requests', 'sessions', 'active_ms'] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

/** One record's value (and so each increase): integers, like tokens. */
export const MAX_ACTIVITY_VALUE = 1_000_000_000;
/**
 * A kind's total since the town began stops here: the largest integer a JavaScript number holds exactly.
 * Records of a billion each, with no hourly bound on activity, reached it after ~9 million records (a
 * few thousand full OTLP exports); past it a sum would round, and the Prometheus counter would go wrong
 * silently. Saturated, it stays exact up to the bound and never goes down.
 */
export const MAX_ACTIVITY_TOTAL = Number.MAX_SAFE_INTEGER;

/** Like a usage record: a delta record is keyed by id, a cumulative one holds its total so far. */
export interface ActivityRecord {
  id: string;
  agentId: string;
  kind: ActivityKind;
  value: number;
  at: number;
  mode: UsageMode;
}

export interface ActivityResult extends TimeTally {
  accepted: number;
  duplicates: number;
  ignored: number;
}

/**
 * Counts activity records exactly once (the caller owns the transaction), as usage.ts counts usage: a
 * delta id seen before adds nothing, a cumulative record adds its increase over what it counted (a
 * smaller total is ignored), and a record keeps its first mode, agent and kind. Increases go to
 * `activity_totals` (never pruned: the Prometheus counters); the records are pruned like usage records.
 */
export function countActivity(batch: WriteBatch, records: readonly ActivityRecord[]): ActivityResult {
  const { sql } = batch;
  const result: ActivityResult = { accepted: 0, duplicates: 0, ignored: 0, tooOld: 0, skewed: 0 };
  forEachAtEventTime(records, batch.now, result, (r, at) => {
    const row = sql.rows('SELECT mode, agent_id, kind, value FROM activity_records WHERE id = ?', r.id)[0];
    let increase = r.value;
    if (!row) {
      sql.run(
        'INSERT INTO activity_records (id, mode, agent_id, kind, value, last_at) VALUES (?, ?, ?, ?, ?, ?)',
        r.id,
        r.mode,
        r.agentId,
        r.kind,
        r.value,
        at,
      );
    } else if (row[0] !== r.mode || row[1] !== r.agentId || row[2] !== r.kind) {
      result.ignored++;
      return;
    } else if (r.mode === 'delta') {
      result.duplicates++;
      return;
    } else {
      increase = r.value - (row[3] as number);
      if (increase <= 0) {
        result[increase < 0 ? 'ignored' : 'duplicates']++;
        return;
      }
      sql.run('UPDATE activity_records SET value = ?, last_at = max(last_at, ?) WHERE id = ?', r.value, at, r.id);
    }
    result.accepted++;
    if (increase > 0)
      sql.run(
        // SQLite adds in 64-bit integers (exact); min() keeps the stored total one that JavaScript reads exactly.
        `INSERT INTO activity_totals (kind, value) VALUES (?, ?)
         ON CONFLICT (kind) DO UPDATE SET value = min(value + excluded.value, ${MAX_ACTIVITY_TOTAL})`,
        r.kind,
        increase,
      );
  });
  return result;
}

/** Every kind's total since the town began (0 for a kind never counted), in ACTIVITY_KINDS order. */
export function activityTotals(sql: Sql): [kind: ActivityKind, value: number][] {
  const stored = new Map(sql.rows('SELECT kind, value FROM activity_totals') as [string, number][]);
  return ACTIVITY_KINDS.map((kind) => [kind, stored.get(kind) ?? 0]);
}
