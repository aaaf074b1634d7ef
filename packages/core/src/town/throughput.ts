import type { Sql } from '../sql.js';
import { agentStatusCounts } from './agents.js';
import { type Budget, readBudget } from './budget.js';
import { currentLoc } from './loc.js';
import { readState } from './state.js';
import { type StorageUse, storageUse } from './storage-quota.js';
import { RAW_TIER, slotStart } from './tiers.js';

export const THROUGHPUT_WINDOW_MS = 5 * 60_000;
/**
 * Beads close now and then, a few an hour: counted over 5 minutes the rate jumped between 0 and 48 an hour
 * on a steady town. It is the count over the last hour instead.
 */
export const BEADS_WINDOW_MS = 60 * 60_000;

export interface Throughput {
  /** All five token kinds (input, output, reasoning, cache read, cache write) per second over the window. */
  tokensPerSecond: number;
  costMicrodollarsPerHour: number;
  /** Beads closed in the last hour (BEADS_WINDOW_MS, the current partial slot included). */
  beadsClosedPerHour: number;
  /** Outstanding lines now (unexpired reports). */
  locAdditions: number;
  locDeletions: number;
  /** Agents whose status is `working` now, and those seen only through usage in the last 5 minutes (agentStatusCounts). */
  agentsActive: number;
  /** Every agent with events, dead ones included, and those seen only through usage in the last 5 minutes. */
  agentsTotal: number;
  /** Milliseconds since the last ingest arrived; null when nothing ever did. */
  dataAgeMs: number | null;
  /** The window of the token and cost rates. */
  windowMs: number;
  /** The window of beadsClosedPerHour. */
  beadsWindowMs: number;
  /** The town's spending cap and its current period's spend; null without a budget. */
  budget: Budget | null;
  /** Spend over cap in the current period (above 1 once the cap is passed); null without a budget. */
  budgetUsedFraction: number | null;
  /** What the town's data takes against its quota (storage-quota.ts); when `full`, every ingest is refused with 507. */
  storage: StorageUse;
  asOf: number;
}

/** Rates over the last 5 minutes of raw slots (beads: the last hour; the current, partial slot included), gauges as of now. */
export function throughput(sql: Sql, now: number, maxBytes?: number): Throughput {
  const windowStart = (ms: number) => slotStart(now, RAW_TIER.resolutionMs) - ms + RAW_TIER.resolutionMs;
  const since = windowStart(THROUGHPUT_WINDOW_MS);
  const [tokens, cost, closed] = sql.rows(
    `SELECT COALESCE(SUM(input_tokens + output_tokens + reasoning_tokens + cache_read_tokens + cache_write_tokens) FILTER (WHERE t >= ?), 0),
            COALESCE(SUM(cost_microdollars) FILTER (WHERE t >= ?), 0), COALESCE(SUM(beads_closed), 0)
     FROM snapshots WHERE t >= ?`,
    since,
    since,
    windowStart(BEADS_WINDOW_MS),
  )[0] as [number, number, number];
  const agents = agentStatusCounts(sql, now);
  const active = agents.get('working') ?? 0;
  let total = 0;
  for (const n of agents.values()) total += n;
  const loc = currentLoc(sql, now);
  const { lastIngestAt } = readState(sql);
  const perHour = 3_600_000 / THROUGHPUT_WINDOW_MS;
  const budget = readBudget(sql, now);
  return {
    tokensPerSecond: tokens / (THROUGHPUT_WINDOW_MS / 1000),
    costMicrodollarsPerHour: Math.round(cost * perHour),
    beadsClosedPerHour: closed, // BEADS_WINDOW_MS is an hour: the count is the rate
    locAdditions: loc.additions,
    locDeletions: loc.deletions,
    agentsActive: active,
    agentsTotal: total,
    dataAgeMs: lastIngestAt === null ? null : Math.max(0, now - lastIngestAt),
    windowMs: THROUGHPUT_WINDOW_MS,
    beadsWindowMs: BEADS_WINDOW_MS,
    budget,
    budgetUsedFraction: budget?.usedFraction ?? null,
    storage: storageUse(sql, maxBytes),
    asOf: now,
  };
}
