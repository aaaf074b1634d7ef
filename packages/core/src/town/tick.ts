import type { Sql } from '../sql.js';
import { agentStatusCounts } from './agents.js';
import { evaluateRunaway, MAX_RUNAWAY_MINUTES } from './beads/runaway.js';
import { pruneAgentMinutes } from './beads/runaway-windows.js';
import { applyBeadTotals, MAX_BEAD_RECORDS_APPLIED_PER_TICK, markPrunedDirty, queuePrunedMoves } from './beads/totals.js';
import { evaluateBudget } from './budget.js';
import { AGENT_STATUSES } from './events.js';
import { currentLoc } from './loc.js';
import { closeBilling } from './outbox.js';
import { GAUGES, type Gauge, type GaugeValues } from './series.js';
import { MAX_RETENTION_MS, RAW_TIER, slotStart, TIERS, type Tier } from './tiers.js';
import type { UsageIds } from './usage-ids.js';

/** Bounded work: at most this many rows of each table are pruned per tick. */
export const PRUNE_BATCH = 500;

const upsertSample = new Map(
  TIERS.map((tier) => [
    tier.table,
    `INSERT INTO ${tier.table} (t, samples, ${GAUGES.flatMap((g) => [g, `${g}_max`]).join(', ')})
     VALUES (?, 1${', ?'.repeat(GAUGES.length * 2)})
     ON CONFLICT (t) DO UPDATE SET samples = samples + 1,
       ${GAUGES.map((g) => `${g} = ${g} + excluded.${g}, ${g}_max = max(${g}_max, excluded.${g}_max)`).join(',\n       ')}`,
  ]),
);

/** The gauge of each status (a Map: statuses are stored strings, never object keys). */
const AGENT_GAUGES = new Map<string, Gauge>(AGENT_STATUSES.map((s) => [s, `agents_${s}`]));
const BEAD_GAUGES = new Map<string, Gauge>(
  (['open', 'in_progress', 'in_review', 'blocked'] as const).map((s) => [s, `beads_${s}`]),
);

/** The town's gauges as they stand at `now`. */
export function readGauges(sql: Sql, now: number): GaugeValues {
  const g = {} as GaugeValues;
  for (const name of GAUGES) g[name] = 0;
  for (const [status, n] of agentStatusCounts(sql, now)) {
    const gauge = AGENT_GAUGES.get(status);
    if (gauge) g[gauge] = n;
    g.agents_total += n;
  }
  // Kept by triggers (migration 21): a count of the beads would read every open one, every tick.
  const open = sql.rows(
    "SELECT status, n FROM status_counts WHERE kind = 'bead' AND status IN ('open', 'in_progress', 'in_review', 'blocked')",
  ) as [string, number][];
  for (const [status, n] of open) {
    const gauge = BEAD_GAUGES.get(status);
    if (gauge) g[gauge] = n;
  }
  const loc = currentLoc(sql, now);
  g.loc_additions = loc.additions;
  g.loc_deletions = loc.deletions;
  return g;
}

/**
 * One tick: sample the gauges into the current slot of every tier, close unbilled cost into a debit
 * (once per billing period), check the budget and the runaway rules, and prune a bounded amount.
 * Counters are not touched: ingest already wrote them into their event-time slots in the same
 * transaction that acknowledged them, so there is nothing pending to drain or lose.
 * Several ticks in one slot average (`samples` counts them).
 */
export function tick(
  sql: Sql,
  usageIds: UsageIds,
  now: number,
  batch = MAX_BEAD_RECORDS_APPLIED_PER_TICK,
): { t: number; gauges: GaugeValues; pruned: number; applied: number } {
  let indexed = () => {};
  const result = sql.transaction(() => {
    const gauges = readGauges(sql, now);
    const values = GAUGES.flatMap((g) => [gauges[g], gauges[g]]);
    for (const tier of TIERS) {
      sql.run(upsertSample.get(tier.table) as string, slotStart(now, tier.resolutionMs), ...values);
    }
    sql.run('UPDATE town_state SET last_tick_at = ? WHERE id = 1', now);
    closeBilling(sql, now);
    evaluateBudget(sql, now);
    // Bead totals and the runaway windows follow the agent-time index (beads/totals.ts).
    // At most `batch` records each (tick-batch.ts: fewer in a town whose last tick was slow).
    indexed = usageIds.indexTail(batch);
    const applied = applyBeadTotals(sql, batch);
    evaluateRunaway(sql, now);
    return {
      t: slotStart(now, RAW_TIER.resolutionMs),
      gauges,
      pruned: prune(sql, pruneClock(sql, now), usageIds.indexedUpto()),
      applied,
    };
  });
  indexed();
  return result;
}

/** How far the time pruning goes by may move forward in one tick (see pruneClock). */
export const MAX_PRUNE_STEP_MS = 3_600_000;

/**
 * The time pruning goes by: the tick's time, but forward by at most MAX_PRUNE_STEP_MS a tick. A wall clock set
 * a year ahead (a wrong time, corrected later) made the next ticks delete, as too old, every usage record with
 * its dedupe key and every billed hour: a record sent again after the correction counted twice. Now such a
 * jump takes ~17,000 ticks to reach pruning; a real gap (a server down two days) is caught up in 48. A clock set
 * back is followed at once.
 */
function pruneClock(sql: Sql, now: number): number {
  const before = sql.rows('SELECT at FROM prune_clock WHERE id = 1')[0]?.[0] as number | undefined;
  const at = before === undefined ? now : Math.min(now, before + MAX_PRUNE_STEP_MS);
  // Stored when it moved a minute or more (or went back): a tick every few seconds would otherwise write one more
  // page each time, and a stored time up to a minute old only loosens the hour's bound by that minute.
  if (before === undefined || at < before || at - before >= PRUNE_CLOCK_WRITE_MS) {
    sql.run('INSERT INTO prune_clock (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at', at);
  }
  return at;
}

/** How far pruning's clock moves before it is stored again (see pruneClock). */
const PRUNE_CLOCK_WRITE_MS = 60_000;

/** How long past its expiry a lines-of-code report is kept: the longest no-progress window (runaway rules). */
export const LOC_KEEP_MS = MAX_RUNAWAY_MINUTES * 60_000;

/** Deletes, a bounded amount per table, what no tier keeps any more as of `now` (the prune clock's time). */
function prune(sql: Sql, now: number, indexedUpto: number): number {
  let pruned = 0;
  for (const tier of TIERS) {
    pruned += sql.run(
      `DELETE FROM ${tier.table} WHERE t IN (SELECT t FROM ${tier.table} WHERE t < ? ORDER BY t LIMIT ${PRUNE_BATCH})`,
      now - tier.retentionMs,
    );
    if (!tier.breakdownTable) continue;
    pruned += sql.run(
      `DELETE FROM ${tier.breakdownTable} WHERE (t, agent_id, model) IN
        (SELECT t, agent_id, model FROM ${tier.breakdownTable} WHERE t < ? ORDER BY t LIMIT ${PRUNE_BATCH})`,
      now - tier.retentionMs,
    );
  }
  // What was billed per hour is kept as long as the hour itself.
  pruned += sql.run(
    `DELETE FROM billed_1h WHERE t IN (SELECT t FROM billed_1h WHERE t < ? ORDER BY t LIMIT ${PRUNE_BATCH})`,
    now - (TIERS.at(-1) as Tier).retentionMs,
  );
  // Usage records and event ids are the dedupe keys: they are kept as long as any tier keeps their time,
  // so a record re-sent at any age that is still stored is still recognised.
  pruned += pruneAgentMinutes(sql, now, MAX_RUNAWAY_MINUTES, PRUNE_BATCH);
  const horizon = now - MAX_RETENTION_MS;
  pruned += pruneUsageRecords(sql, horizon, indexedUpto);
  pruned += sql.run(
    `DELETE FROM events WHERE id IN (SELECT id FROM events WHERE at < ? ORDER BY at LIMIT ${PRUNE_BATCH})`,
    horizon,
  );
  pruned += sql.run(
    `DELETE FROM activity_records WHERE id IN (SELECT id FROM activity_records WHERE last_at < ? ORDER BY last_at LIMIT ${PRUNE_BATCH})`,
    horizon,
  );
  pruned += sql.run(
    `DELETE FROM usage_sources WHERE key IN (SELECT key FROM usage_sources WHERE last_at < ? ORDER BY last_at LIMIT ${PRUNE_BATCH})`,
    horizon,
  );
  // A baseline's last_at is never behind its record's (usage-baselines.ts): it goes no sooner than the record.
  pruned += sql.run(
    `DELETE FROM usage_baselines WHERE id IN (SELECT id FROM usage_baselines WHERE last_at < ? ORDER BY last_at LIMIT ${PRUNE_BATCH})`,
    horizon,
  );
  // A lines-of-code report stops counting when it expires (loc.ts); it is kept a day longer, the longest
  // no-progress window (its changed_at) and a bead's lines at review (its last report), then deleted: before,
  // every agent id ever reported kept its row, and the gauge and the schedule read them all.
  pruned += sql.run(
    `DELETE FROM loc WHERE agent_id IN
      (SELECT agent_id FROM loc WHERE reported_at + ttl_ms < ? ORDER BY reported_at + ttl_ms LIMIT ${PRUNE_BATCH})`,
    now - LOC_KEEP_MS,
  );
  // An agent's bead rows go with the usage they attribute; the newest row of each agent stays, as it may still hold a bead.
  const oldBeadRows = `SELECT agent_id, at, event_id FROM agent_beads a WHERE at < ?
    AND EXISTS (SELECT 1 FROM agent_beads n WHERE n.agent_id = a.agent_id AND n.at > a.at AND n.at < ?)
    LIMIT ${PRUNE_BATCH}`;
  if (queuePrunedMoves(sql, oldBeadRows, horizon) > 0) {
    pruned += sql.run(`DELETE FROM agent_beads WHERE (agent_id, at, event_id) IN (${oldBeadRows})`, horizon, horizon);
  }
  return pruned;
}

/**
 * Usage records are in arrival order, not time order (a backfill appends old records), so a cursor
 * sweeps the indexed part of the table PRUNE_BATCH rows per tick, deleting (with their ids) those last
 * updated before the horizon, and wraps at the end. A live row is looked at again on the next sweep.
 */
function pruneUsageRecords(sql: Sql, horizon: number, indexedUpto: number): number {
  const cursor = sql.rows('SELECT usage_prune_cursor FROM town_state WHERE id = 1')[0]?.[0] as number;
  // The newest row always stays: SQLite gives a new row MAX(rowid) + 1, and were the newest row gone, a
  // new record could get a rowid at or below the indexed mark, be missed by the index and, after a
  // restart, be counted again.
  const newest = (sql.rows('SELECT MAX(rowid) FROM usage_records')[0]?.[0] as number | null) ?? 0;
  const [seen, upTo] = sql.rows(
    `SELECT COUNT(*), MAX(rowid) FROM (SELECT rowid FROM usage_records WHERE rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ${PRUNE_BATCH})`,
    cursor,
    Math.min(indexedUpto, newest - 1),
  )[0] as [number, number | null];
  let deleted = 0;
  if (upTo !== null) {
    markPrunedDirty(sql, cursor, upTo, horizon);
    sql.run(
      'DELETE FROM usage_ids WHERE id IN (SELECT id FROM usage_records WHERE rowid > ? AND rowid <= ? AND last_at < ?)',
      cursor,
      upTo,
      horizon,
    );
    sql.run(
      `DELETE FROM usage_times WHERE (agent_id, first_at, rec) IN
        (SELECT agent_id, first_at, rowid FROM usage_records WHERE rowid > ? AND rowid <= ? AND last_at < ?)`,
      cursor,
      upTo,
      horizon,
    );
    deleted = sql.run('DELETE FROM usage_records WHERE rowid > ? AND rowid <= ? AND last_at < ?', cursor, upTo, horizon);
  }
  sql.run('UPDATE town_state SET usage_prune_cursor = ? WHERE id = 1', seen < PRUNE_BATCH ? 0 : (upTo as number));
  return deleted;
}
