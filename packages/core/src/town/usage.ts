import { AppError } from '../errors.js';
import { USAGE_AMOUNTS as AMOUNTS } from './bounds.js';
import { forEachAtEventTime, type TimeTally } from './event-time.js';
import type { CounterValues } from './series.js';
import { type UsageSource, UsageSources } from './usage-sources.js';
import type { WriteBatch } from './write-batch.js';

export type UsageMode = 'cumulative' | 'delta';

export interface UsageRecord {
  id: string;
  agentId: string;
  model: string;
  provider?: string | undefined;
  inputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costMicrodollars: number;
  at: number;
  mode: UsageMode;
  /** The spend this record describes, when another signal may describe it too (usage-sources.ts). */
  source?: UsageSource | undefined;
  /** The bead (task) this usage was for; without it, the bead the agent worked on at `at` (town/beads). */
  beadId?: string | undefined;
}

export interface UsageResult extends TimeTally {
  /** Records that added something. */
  accepted: number;
  /** Repeats that added nothing: a delta id seen before, or cumulative totals already counted. */
  duplicates: number;
  /**
   * Cumulative totals smaller than what was already counted (stale updates), a mode, agent, model or bead
   * that disagrees with the first, or spend another signal of the same source already counts.
   */
  ignored: number;
  /** With `partial`: the records refused by an hour bound (not stored), by index, with why. */
  refused?: { index: number; message: string }[];
}

const COST = AMOUNTS.length - 1;

const SELECT = `SELECT mode, agent_id, model, bead_id, first_at, ${AMOUNTS.map(([, c]) => c).join(', ')} FROM usage_records WHERE rowid = ?`;
const INSERT = `INSERT INTO usage_records (rowid, id, mode, agent_id, model, provider, bead_id, ${AMOUNTS.map(([, c]) => c).join(', ')}, first_at, last_at)
  VALUES (?, ?, ?, ?, ?, ?, ?${', ?'.repeat(AMOUNTS.length)}, ?, ?)`;
const UPDATE = `UPDATE usage_records SET ${AMOUNTS.map(([, c]) => `${c} = ?`).join(', ')}, last_at = max(last_at, ?) WHERE rowid = ?`;

/**
 * Counts one validated request into `batch` (the caller owns the transaction). Exactly once:
 * - cumulative records hold the totals so far of one message; only the increase over what was
 *   counted is added, per amount (an amount that shrank is held at its maximum);
 * - delta records are keyed by id; a repeat adds nothing.
 * A record whose increase would take its hour past a bound (bounds.ts) throws a 400 naming it; the
 * caller rolls the request's writes back, and nothing of it reaches the batch's counters. With
 * `partial` (OTLP: one bad point must not fail a whole export) such a record is refused alone, before
 * anything of it is written, and listed in `refused`; a retry refuses it again and counts the rest once.
 */
export function countUsage(batch: WriteBatch, records: readonly UsageRecord[], partial = false): UsageResult {
  const result: UsageResult = { accepted: 0, duplicates: 0, ignored: 0, tooOld: 0, skewed: 0 };
  if (partial) result.refused = [];
  const hours = batch.hours.job();
  const sources = new UsageSources(batch.sql);
  const counted: { record: UsageRecord; at: number; increase: number[] }[] = [];
  const inserted: string[] = [];
  const stored = batch.usageIds.lookup(records.map((r) => r.id));
  try {
    forEachAtEventTime(records, batch.now, result, (record, at, index) => {
      if (record.source && sources.superseded(record.source, at)) {
        result.ignored++;
        return;
      }
      const outcome = planOne(batch, stored, record, at);
      if (outcome.kind !== 'accepted') {
        result[outcome.kind]++;
        return;
      }
      try {
        hours.add(at, outcome.increase, index);
      } catch (err) {
        if (!(partial && err instanceof AppError)) throw err;
        result.refused?.push({ index, message: err.message });
        return;
      }
      outcome.write();
      if (outcome.inserted) inserted.push(record.id);
      if (record.source) sources.claim(record.source, at);
      result.accepted++;
      counted.push({ record, at, increase: outcome.increase });
    });
  } catch (err) {
    for (const id of inserted) batch.newUsageIds.delete(id);
    throw err;
  }
  hours.commit();
  for (const { record, at, increase } of counted) {
    batch.slots.add(at, deltaOf(increase));
    const cost = increase[COST] as number;
    const tokens = increase.reduce((sum, d, i) => (i === COST ? sum : sum + d), 0);
    batch.byAgentModel.add(at, record.agentId, record.model, tokens, cost);
    batch.totals.add(record.agentId, record.model, increase);
    if (cost > 0) batch.costFrom = Math.min(batch.costFrom ?? at, at);
  }
  return result;
}

/** What a record would add, and the write that adds it (planned first, so a bound can refuse it unwritten). */
type Outcome =
  | { kind: 'accepted'; increase: number[]; inserted: boolean; write: () => void }
  | { kind: 'duplicates' | 'ignored' };

function planOne(batch: WriteBatch, stored: ReadonlyMap<string, number>, r: UsageRecord, at: number): Outcome {
  const { sql } = batch;
  const amounts = AMOUNTS.map(([field]) => r[field] as number);
  const rec = batch.newUsageIds.get(r.id) ?? stored.get(r.id);
  const row = rec === undefined ? undefined : sql.rows(SELECT, rec)[0];
  if (rec === undefined || !row) {
    const write = () => {
      const rowid = batch.usageRowid();
      sql.run(INSERT, rowid, r.id, r.mode, r.agentId, r.model, r.provider ?? null, r.beadId ?? null, ...amounts, at, at);
      batch.newUsageIds.set(r.id, rowid);
    };
    return { kind: 'accepted', increase: amounts, inserted: true, write };
  }
  // A record keeps its first mode, agent, model and bead: an update under another agent or model would credit
  // the increase to a series the record is not counted in (or let one client cancel another's totals).
  if (row[0] !== r.mode || row[1] !== r.agentId || row[2] !== r.model || row[3] !== (r.beadId ?? null)) {
    return { kind: 'ignored' };
  }
  // first_at is the earliest event time of any copy or update, whatever order they arrive in (a stale or
  // repeated one too): a bead's usage is dated by it, and its agent-time index row moves with it.
  const firstAt = row[4] as number;
  if (at < firstAt) {
    sql.run('UPDATE usage_records SET first_at = ? WHERE rowid = ?', at, rec);
    sql.run('UPDATE usage_times SET first_at = ? WHERE agent_id = ? AND first_at = ? AND rec = ?', at, r.agentId, firstAt, rec);
  }
  if (r.mode === 'delta') return { kind: 'duplicates' };

  let grew = false;
  let shrank = false;
  const counted = row.slice(5) as number[];
  const increase = amounts.map((amount, i) => {
    const d = amount - (counted[i] as number);
    if (d > 0) grew = true;
    if (d < 0) shrank = true;
    return Math.max(0, d);
  });
  if (!grew) return { kind: shrank ? 'ignored' : 'duplicates' };
  const write = () => sql.run(UPDATE, ...increase.map((d, i) => (counted[i] as number) + d), at, rec);
  return { kind: 'accepted', increase, inserted: false, write };
}

function deltaOf(amounts: number[]): Partial<CounterValues> {
  const delta: Partial<CounterValues> = {};
  AMOUNTS.forEach(([, counter], i) => {
    delta[counter] = amounts[i] as number;
  });
  return delta;
}
