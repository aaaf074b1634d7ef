/**
 * Storage tiers. Every tier has the same columns; a row covers [t, t + resolution).
 * Counters land in the row of their event time, so every tier agrees with the others exactly
 * (5 s divides 1 min divides 10 min divides 1 h) and a late record is added where it belongs.
 */
export interface Tier {
  table: 'snapshots' | 'rollup_1m' | 'rollup_10m' | 'rollup_1h';
  /** Usage per agent and model at the same resolution, for breakdowns; none at 5 s (see BREAKDOWN_MIN_STEP_MS). */
  breakdownTable: 'breakdown_1m' | 'breakdown_10m' | 'breakdown_1h' | null;
  resolutionMs: number;
  retentionMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const TIERS: readonly Tier[] = [
  { table: 'snapshots', breakdownTable: null, resolutionMs: 5_000, retentionMs: 7 * DAY },
  { table: 'rollup_1m', breakdownTable: 'breakdown_1m', resolutionMs: MINUTE, retentionMs: 30 * DAY },
  { table: 'rollup_10m', breakdownTable: 'breakdown_10m', resolutionMs: 10 * MINUTE, retentionMs: 30 * DAY },
  { table: 'rollup_1h', breakdownTable: 'breakdown_1h', resolutionMs: HOUR, retentionMs: 400 * DAY },
];

export const RAW_TIER = TIERS[0] as Tier;
/**
 * Breakdowns by agent and model start at 1 minute: at 5 s they would cost a row per agent and model
 * every 5 s (and an upsert per ingest commit) for charts that rarely need it.
 */
export const BREAKDOWN_MIN_STEP_MS = MINUTE;
/** Nothing older than this is stored anywhere. */
export const MAX_RETENTION_MS = Math.max(...TIERS.map((t) => t.retentionMs));

export function slotStart(at: number, resolutionMs: number): number {
  return Math.floor(at / resolutionMs) * resolutionMs;
}

/** Whether `tier` still keeps the slot holding time `at`, as seen at `now`. The one retention rule: pruning, ingest and queries all use it. */
export function keeps(tier: Tier, at: number, now: number): boolean {
  return slotStart(at, tier.resolutionMs) >= now - tier.retentionMs;
}

/** The tiers that still keep data for time `at` as seen at `now`. */
export function tiersCovering(at: number, now: number): Tier[] {
  return TIERS.filter((tier) => keeps(tier, at, now));
}
