import type { Sql } from '../sql.js';
import { tupleKey } from '../tuple-key.js';
import { activityTotals } from './activity.js';
import { agentStatusCounts } from './agents.js';
import { USAGE_AMOUNTS } from './bounds.js';
import { BEAD_STATUSES } from './events.js';
import { currentLoc } from './loc.js';
import { type StorageUse, storageUse } from './storage-quota.js';

/** Agent × model pairs with counters of their own in the totals (the Prometheus series bound); the rest are summed. */
export const MAX_TOTALS_SERIES = 100;

/** Token kinds as stored (`<type>_tokens`), in the order of `UsageAmounts.tokens` and of USAGE_AMOUNTS. */
export const TOKEN_TYPES = ['input', 'output', 'reasoning', 'cache_read', 'cache_write'] as const;
const TOKEN_COLUMNS = TOKEN_TYPES.map((t) => `${t}_tokens`);
/** usage_totals' amount columns: USAGE_AMOUNTS' (tokens as TOKEN_COLUMNS, then cost). */
const COLUMNS = USAGE_AMOUNTS.map(([, c]) => c);

export interface UsageAmounts {
  /** One integer per TOKEN_TYPES entry. */
  tokens: number[];
  costMicrodollars: number;
}

export interface UsageTotal extends UsageAmounts {
  agentId: string;
  model: string;
}

/**
 * Everything counted since the town began (usage_totals is never pruned), and its gauges now.
 * Arrays of pairs, never objects keyed by names: agent names come from reporters.
 */
export interface TownTotals {
  /** The largest agent × model pairs by tokens (then cost), at most the limit, largest first. */
  usage: UsageTotal[];
  /** Every other pair summed, and how many pairs that is; null when every pair is in `usage`. */
  other: (UsageAmounts & { pairs: number }) | null;
  agents: [status: string, count: number][];
  beads: [status: string, count: number][];
  loc: { additions: number; deletions: number };
  /** Activity since the town began, every kind (activity.ts). */
  activity: [kind: string, value: number][];
  /** What the town's data takes against its quota (storage-quota.ts). */
  storage: StorageUse;
}

/** A pair's increase, or (no row changed) the new pair; then the grand total once a batch (migration 13). */
const ADD = `UPDATE usage_totals SET ${COLUMNS.map((c) => `${c} = ${c} + ?`).join(', ')} WHERE agent_id = ? AND model = ?`;
const NEW_PAIR = `INSERT INTO usage_totals (agent_id, model, ${COLUMNS.join(', ')}) VALUES (?, ?${', ?'.repeat(COLUMNS.length)})`;
const ADD_GRAND = `UPDATE usage_grand_total SET pairs = pairs + ?, ${COLUMNS.map((c) => `${c} = ${c} + ?`).join(', ')} WHERE id = 1`;
/** In the order of the usage_totals_by_size index, so the top pairs are read from it, not sorted. */
export const TOP_PAIRS = `SELECT agent_id, model, ${COLUMNS.join(', ')} FROM usage_totals
  ORDER BY ${TOKEN_COLUMNS.join(' + ')} DESC, cost_microdollars DESC, agent_id, model LIMIT ?`;
const GRAND = `SELECT pairs, ${COLUMNS.join(', ')} FROM usage_grand_total WHERE id = 1`;

/** Usage increases of one ingest batch per agent and model (USAGE_AMOUNTS order), written in the same transaction. */
export class UsageTotalCounters {
  private readonly entries = new Map<string, { agentId: string; model: string; amounts: number[] }>();

  add(agentId: string, model: string, increase: readonly number[]): void {
    const key = tupleKey(agentId, model);
    const e = this.entries.get(key);
    if (!e) this.entries.set(key, { agentId, model, amounts: [...increase] });
    else for (let i = 0; i < increase.length; i++) e.amounts[i] = (e.amounts[i] as number) + (increase[i] as number);
  }

  flush(sql: Sql): void {
    if (this.entries.size === 0) return;
    let pairs = 0;
    const sum = COLUMNS.map(() => 0);
    for (const e of this.entries.values()) {
      if (sql.run(ADD, ...e.amounts, e.agentId, e.model) === 0) {
        sql.run(NEW_PAIR, e.agentId, e.model, ...e.amounts);
        pairs++;
      }
      for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) + (e.amounts[i] as number);
    }
    sql.run(ADD_GRAND, pairs, ...sum);
    this.entries.clear();
  }
}

function amounts(row: readonly unknown[]): UsageAmounts {
  const n = row.map((v) => Number(v ?? 0));
  return { tokens: n.slice(0, TOKEN_TYPES.length), costMicrodollars: n[TOKEN_TYPES.length] as number };
}

/**
 * Totals per agent and model from usage_totals, which ingest only adds to (a cumulative record adds its increase),
 * so they only grow, across restarts too. Two reads: the top `limit` pairs (from the index in that order), and the
 * running sum of all with the number of pairs, whose difference is `other` (exact, integers).
 */
export function townTotals(sql: Sql, now: number, limit = MAX_TOTALS_SERIES, maxBytes?: number): TownTotals {
  const top = sql.rows(TOP_PAIRS, limit);
  const usage = top.map((r) => ({ agentId: r[0] as string, model: r[1] as string, ...amounts(r.slice(2)) }));
  const grand = sql.rows(GRAND)[0] as unknown[];
  const pairs = Number(grand[0]);
  let other: TownTotals['other'] = null;
  if (pairs > usage.length) {
    const all = amounts(grand.slice(1));
    for (const u of usage) {
      u.tokens.forEach((v, i) => {
        all.tokens[i] = (all.tokens[i] as number) - v;
      });
      all.costMicrodollars -= u.costMicrodollars;
    }
    other = { ...all, pairs: pairs - usage.length };
  }
  return {
    usage,
    other,
    agents: [...agentStatusCounts(sql, now)],
    beads: beadCounts(sql),
    loc: currentLoc(sql, now),
    activity: activityTotals(sql),
    storage: storageUse(sql, maxBytes),
  };
}

/**
 * Beads per status, every known status present (0 when none), so a scraper's series do not come and go: the
 * counts the triggers keep (migration 21), where a count read every bead ever reported on each scrape.
 */
function beadCounts(sql: Sql): [string, number][] {
  const counts = new Map<string, number>(BEAD_STATUSES.map((s) => [s, 0]));
  for (const [status, n] of sql.rows("SELECT status, n FROM status_counts WHERE kind = 'bead'") as [string, number][]) {
    counts.set(status, n);
  }
  return [...counts];
}
