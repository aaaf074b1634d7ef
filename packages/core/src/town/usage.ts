import { forEachAtEventTime, type TimeTally } from './event-time.js';
import type { CounterValues } from './series.js';
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
}

export interface UsageResult extends TimeTally {
  /** Records that added something. */
  accepted: number;
  /** Repeats that added nothing: a delta id seen before, or cumulative totals already counted. */
  duplicates: number;
  /** Cumulative totals smaller than what was already counted (stale updates), or a mode that disagrees with the first. */
  ignored: number;
}

const AMOUNTS = [
  ['inputTokens', 'input_tokens'],
  ['outputTokens', 'output_tokens'],
  ['reasoningTokens', 'reasoning_tokens'],
  ['cacheReadTokens', 'cache_read_tokens'],
  ['cacheWriteTokens', 'cache_write_tokens'],
  ['costMicrodollars', 'cost_microdollars'],
] as const satisfies readonly (readonly [keyof UsageRecord, keyof CounterValues])[];

const TOKEN_COUNTERS = ['input_tokens', 'output_tokens', 'reasoning_tokens', 'cache_read_tokens', 'cache_write_tokens'] as const;

const SELECT = `SELECT mode, ${AMOUNTS.map(([, c]) => c).join(', ')} FROM usage_records WHERE rowid = ?`;
const INSERT = `INSERT INTO usage_records (id, mode, agent_id, model, provider, ${AMOUNTS.map(([, c]) => c).join(', ')}, first_at, last_at)
  VALUES (?, ?, ?, ?, ?${', ?'.repeat(AMOUNTS.length)}, ?, ?) RETURNING rowid`;
const UPDATE = `UPDATE usage_records SET ${AMOUNTS.map(([, c]) => `${c} = ?`).join(', ')}, last_at = max(last_at, ?) WHERE rowid = ?`;

/**
 * Counts one validated batch into `batch` (the caller owns the transaction). Exactly once:
 * - cumulative records hold the totals so far of one message; only the increase over what was
 *   counted is added, per amount (an amount that shrank is held at its maximum);
 * - delta records are keyed by id; a repeat adds nothing.
 */
export function countUsage(batch: WriteBatch, records: readonly UsageRecord[]): UsageResult {
  const result: UsageResult = { accepted: 0, duplicates: 0, ignored: 0, tooOld: 0, skewed: 0 };
  forEachAtEventTime(records, batch.now, result, (record, at) => {
    const outcome = countOne(batch, record, at);
    result[outcome.kind]++;
    if (outcome.kind !== 'accepted') return;
    const d = outcome.delta;
    batch.slots.add(at, d);
    const tokens = TOKEN_COUNTERS.reduce((sum, c) => sum + (d[c] ?? 0), 0);
    batch.byAgentModel.add(at, record.agentId, record.model, tokens, d.cost_microdollars ?? 0);
    if ((d.cost_microdollars ?? 0) > 0) batch.costFrom = Math.min(batch.costFrom ?? at, at);
  });
  return result;
}

type Outcome = { kind: 'accepted'; delta: Partial<CounterValues> } | { kind: 'duplicates' | 'ignored' };

function countOne(batch: WriteBatch, r: UsageRecord, at: number): Outcome {
  const { sql } = batch;
  const amounts = AMOUNTS.map(([field]) => r[field] as number);
  const rec = batch.usageIds.find(r.id, batch.newUsageIds);
  const row = rec === undefined ? undefined : sql.rows(SELECT, rec)[0];
  if (rec === undefined || !row) {
    const inserted = sql.rows(INSERT, r.id, r.mode, r.agentId, r.model, r.provider ?? null, ...amounts, at, at)[0]?.[0] as number;
    batch.newUsageIds.set(r.id, inserted);
    return { kind: 'accepted', delta: deltaOf(amounts) };
  }
  if (row[0] !== r.mode) return { kind: 'ignored' };
  if (r.mode === 'delta') return { kind: 'duplicates' };

  let grew = false;
  let shrank = false;
  const counted = row.slice(1) as number[];
  const increase = amounts.map((amount, i) => {
    const d = amount - (counted[i] as number);
    if (d > 0) grew = true;
    if (d < 0) shrank = true;
    return Math.max(0, d);
  });
  if (!grew) return { kind: shrank ? 'ignored' : 'duplicates' };
  sql.run(UPDATE, ...increase.map((d, i) => (counted[i] as number) + d), at, rec);
  return { kind: 'accepted', delta: deltaOf(increase) };
}

function deltaOf(amounts: number[]): Partial<CounterValues> {
  const delta: Partial<CounterValues> = {};
  AMOUNTS.forEach(([, counter], i) => {
    delta[counter] = amounts[i] as number;
  });
  return delta;
}
