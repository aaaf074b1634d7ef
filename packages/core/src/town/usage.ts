import { AppError } from '../errors.js';
import { MAX_SQL_PARAMS, type Sql, type SqlValue } from '../sql.js';
import { markDirty } from './beads/totals.js';
import { USAGE_AMOUNTS as AMOUNTS } from './bounds.js';
import { forEachAtEventTime, type TimeTally } from './event-time.js';
import { UsageBaselines } from './usage-baselines.js';
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
  /**
   * The keys this spend is counted under when another signal or path may describe it too
   * (usage-sources.ts): a record a key of which another owns is ignored, and its other keys are still
   * claimed (an OTLP record whose sender's other signal counts the spend keeps its session OTLP's; one whose
   * session REST counts takes its sender for its signal).
   */
  sources?: readonly UsageSource[] | undefined;
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
const INSERT_COLUMNS = [
  'rowid',
  'id',
  'mode',
  'agent_id',
  'model',
  'provider',
  'bead_id',
  ...AMOUNTS.map(([, c]) => c),
  'first_at',
  'last_at',
];
/** New records per INSERT statement: as many as the bound-parameter limit allows. */
const ROWS_PER_INSERT = Math.floor(MAX_SQL_PARAMS / INSERT_COLUMNS.length);
/** INSERT_OF[n]: the statement for n new records. */
const INSERT_OF = Array.from(
  { length: ROWS_PER_INSERT + 1 },
  (_, n) =>
    `INSERT INTO usage_records (${INSERT_COLUMNS.join(', ')}) VALUES ${Array(n)
      .fill(`(?${', ?'.repeat(INSERT_COLUMNS.length - 1)})`)
      .join(', ')}`,
);
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
  const inserts = new NewRecords(batch.sql);
  // Only a record that names sources can be ignored for another's and later count (usage-baselines.ts).
  const baselines = new UsageBaselines(
    batch.sql,
    records.filter((r) => r.mode === 'cumulative' && r.sources !== undefined && r.sources.length > 0).map((r) => r.id),
  );
  try {
    forEachAtEventTime(records, batch.now, result, (record, at, index) => {
      const owned = record.sources ? sources.firstSuperseded(record.sources, at) : -1;
      if (owned >= 0) {
        // Its keys no other signal or path owns are claimed all the same: an OTLP log record whose session REST
        // counts still takes its sender for the logs, so that sender's metrics, which may name no session, do not
        // count that spend a second time.
        for (const source of record.sources ?? []) if (!sources.superseded(source, at)) sources.claim(source, at);
        // What a cumulative record reached meanwhile is the other's spend: should it count later, only past this.
        if (record.mode === 'cumulative') {
          const counted = (storedRow(batch, stored, inserts, record.id)?.row.slice(5) as number[] | undefined) ?? ZERO_AMOUNTS;
          baselines.raise(
            record.id,
            amountsOf(record).map((v, i) => v - (counted[i] as number)),
            at,
          );
        }
        result.ignored++;
        return;
      }
      const outcome = planOne(batch, stored, inserts, record, at, baselines.get(record.id));
      if (outcome.kind !== 'accepted') {
        dateEarlier(batch.sql, record, at, outcome.earlier);
        result[outcome.kind]++;
        return;
      }
      try {
        hours.add(at, outcome.increase, index);
      } catch (err) {
        if (!(partial && err instanceof AppError)) throw err;
        // Refused: nothing of it is written, its date neither.
        result.refused?.push({ index, message: err.message });
        return;
      }
      dateEarlier(batch.sql, record, at, outcome.earlier);
      writeOne(batch, inserts, record, at, outcome);
      baselines.touch(record.id, at);
      if (outcome.rec === undefined) inserted.push(record.id);
      for (const source of record.sources ?? []) sources.claim(source, at);
      result.accepted++;
      counted.push({ record, at, increase: outcome.increase });
    });
    inserts.flush();
  } catch (err) {
    // The caller rolls back what was written; what was still buffered is dropped with `inserts`.
    for (const id of inserted) batch.newUsageIds.delete(id);
    throw err;
  }
  hours.commit();
  for (const { record, at, increase } of counted) {
    batch.slots.addUsage(at, increase);
    const cost = increase[COST] as number;
    let tokens = 0;
    for (let i = 0; i < COST; i++) tokens += increase[i] as number;
    batch.byAgentModel.add(at, record.agentId, record.model, tokens, cost);
    batch.totals.add(record.agentId, record.model, increase);
    if (cost > 0) batch.costFrom = Math.min(batch.costFrom ?? at, at);
  }
  return result;
}

/**
 * What a record would add (planned first, so a bound can refuse it unwritten): a new record (`rec`
 * undefined) or the increase of a stored one, whose amounts become `amounts`.
 */
type Outcome = (
  | { kind: 'accepted'; increase: number[]; rec: number | undefined; amounts: number[] }
  | { kind: 'duplicates' | 'ignored' }
) & {
  /** The stored record this copy dates earlier than its first_at (see dateEarlier), and that first_at. */
  earlier?: { rec: number; firstAt: number } | undefined;
};

const DUPLICATE: Outcome = { kind: 'duplicates' };
const IGNORED: Outcome = { kind: 'ignored' };

function planOne(
  batch: WriteBatch,
  stored: ReadonlyMap<string, number>,
  inserts: NewRecords,
  r: UsageRecord,
  at: number,
  baseline: readonly number[] | undefined,
): Outcome {
  const amounts = amountsOf(r);
  const found = storedRow(batch, stored, inserts, r.id);
  if (!found && baseline === undefined) return { kind: 'accepted', increase: amounts, rec: undefined, amounts };
  if (!found) return increaseOver(amounts, ZERO_AMOUNTS, baseline, undefined);
  const { rec, row } = found;
  // A record keeps its first mode, agent, model and bead: an update under another agent or model would credit
  // the increase to a series the record is not counted in (or let one client cancel another's totals).
  if (row[0] !== r.mode || row[1] !== r.agentId || row[2] !== r.model || row[3] !== (r.beadId ?? null)) return IGNORED;
  const firstAt = row[4] as number;
  const earlier = at < firstAt ? { rec, firstAt } : undefined;
  if (r.mode === 'delta') return { ...DUPLICATE, earlier };
  return { ...increaseOver(amounts, row.slice(5) as number[], baseline, rec), earlier };
}

/**
 * first_at is the earliest event time of any copy or update, whatever order they arrive in (a stale or repeated
 * one too, but not one a bound refused): a bead's usage is dated by it, and its agent-time index row moves with it.
 */
function dateEarlier(sql: Sql, r: UsageRecord, at: number, earlier: Outcome['earlier']): void {
  if (!earlier) return;
  sql.run('UPDATE usage_records SET first_at = ? WHERE rowid = ?', at, earlier.rec);
  sql.run(
    'UPDATE usage_times SET first_at = ? WHERE agent_id = ? AND first_at = ? AND rec = ?',
    at,
    r.agentId,
    earlier.firstAt,
    earlier.rec,
  );
  markDirty(sql, earlier.rec);
}

/**
 * A cumulative record's increase over what it counted (`counted`, its row's amounts) and what another signal
 * counted of it (`baseline`), amount by amount; its row then holds `counted` plus the increase.
 */
function increaseOver(
  amounts: readonly number[],
  counted: readonly number[],
  baseline: readonly number[] | undefined,
  rec: number | undefined,
): Outcome {
  let grew = false;
  let shrank = false;
  const increase = amounts.map((amount, i) => {
    const d = amount - (counted[i] as number) - (baseline?.[i] ?? 0);
    if (d > 0) grew = true;
    if (d < 0) shrank = true;
    return Math.max(0, d);
  });
  if (!grew) return shrank ? IGNORED : DUPLICATE;
  return { kind: 'accepted', increase, rec, amounts: increase.map((d, i) => (counted[i] as number) + d) };
}

const ZERO_AMOUNTS: readonly number[] = AMOUNTS.map(() => 0);

function amountsOf(r: UsageRecord): number[] {
  const amounts: number[] = [];
  for (const [field] of AMOUNTS) amounts.push(r[field] as number);
  return amounts;
}

/**
 * Record `id`'s rowid and row (SELECT's columns: mode, agent, model, bead, first_at, then the amounts it counted so far),
 * or undefined when it has none: the one lookup of a stored record, for planOne and for a record ignored for another's.
 */
function storedRow(
  batch: WriteBatch,
  stored: ReadonlyMap<string, number>,
  inserts: NewRecords,
  id: string,
): { rec: number; row: SqlValue[] } | undefined {
  const rec = batch.newUsageIds.get(id) ?? stored.get(id);
  if (rec === undefined) return undefined;
  inserts.flush(); // the record may be one of this request's, still buffered
  const row = batch.sql.rows(SELECT, rec)[0];
  return row ? { rec, row } : undefined;
}

/** Stores what planOne accepted: the new record (with the next rowid), or the stored one's new amounts. */
function writeOne(
  batch: WriteBatch,
  inserts: NewRecords,
  r: UsageRecord,
  at: number,
  plan: Extract<Outcome, { kind: 'accepted' }>,
): void {
  if (plan.rec !== undefined) {
    batch.sql.run(UPDATE, ...plan.amounts, at, plan.rec);
    // Its bead totals are re-applied by the next tick (beads/totals.ts).
    markDirty(batch.sql, plan.rec);
    return;
  }
  const rowid = batch.usageRowid();
  inserts.add([rowid, r.id, r.mode, r.agentId, r.model, r.provider ?? null, r.beadId ?? null, ...plan.amounts, at, at]);
  batch.newUsageIds.set(r.id, rowid);
}

/**
 * One request's new records, written ROWS_PER_INSERT to a statement (measured: 3.0 µs a record against
 * 3.7 one by one). Flushed before anything reads a record of the request back, and at its end.
 */
class NewRecords {
  private readonly params: SqlValue[] = [];

  constructor(private readonly sql: Sql) {}

  add(values: readonly SqlValue[]): void {
    for (const v of values) this.params.push(v);
    if (this.params.length === ROWS_PER_INSERT * INSERT_COLUMNS.length) this.flush();
  }

  flush(): void {
    if (this.params.length === 0) return;
    this.sql.run(INSERT_OF[this.params.length / INSERT_COLUMNS.length] as string, ...this.params);
    this.params.length = 0;
  }
}
