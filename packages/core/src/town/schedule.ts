import type { TownState } from './state.js';

/** A town that took ingest in this window ticks at the active interval. */
export const ACTIVE_WINDOW_MS = 10 * 60_000;
export const ACTIVE_TICK_MS = 5_000;
export const IDLE_TICK_MS = 60_000;
/**
 * A dormant town (idle, nothing to settle, no gauge that can change without ingest) ticks this
 * rarely: once an hour keeps a gauge sample in every 1-hour bucket and pruning going, and costs a
 * host with 10,000 such towns about 3 opens a second instead of 170.
 */
export const DORMANT_TICK_MS = 3_600_000;
/**
 * A town whose last tick left usage for the bead totals (a tick applies at most 50,000 records) ticks
 * again this soon: it catches up at 25,000 records a second instead of 10,000 at the active interval,
 * and its bead reads, refused (503) while more than a tick's worth waits (beads/backlog.ts), come back
 * 2.5 times sooner. Not sooner still: a full tick takes 0.3–0.6 s here (indexing and applying 50,000
 * records), so a town catching up already holds 15–30 % of a Node host's event loop.
 */
export const CATCH_UP_TICK_MS = 2_000;

export interface TickIntervals {
  activeMs: number;
  idleMs: number;
  /** Default DORMANT_TICK_MS. */
  dormantMs?: number;
}

/** What decides the next tick: the town's state plus what a tick still has to do without new ingest. */
export interface ScheduleState extends TownState {
  /** Cost not yet closed into the outbox, or outbox entries not yet settled into the account. */
  unsettled: boolean;
  /** When the last unexpired lines-of-code report expires (the LOC gauges drop then), or null. */
  locExpiresAt: number | null;
  /** Usage not yet applied to the bead totals (read right after a tick: the tick stopped at its budget). */
  beadsBehind?: boolean;
}

/**
 * When the town should tick next: on the next multiple of its interval, so ticks land at the same
 * place in every 5 s slot. Both the Node scheduler and a Durable Object alarm use this.
 *
 * Behind: the last tick left usage for the bead totals; the town ticks at CATCH_UP_TICK_MS until it has none.
 *
 * Dormant: no ingest in the active window, nothing to settle, and no lines-of-code report left to
 * expire. Then nothing a tick does can differ from the last one until something writes to the town:
 * agent and bead gauges change only by ingest, budget crossings only by ingest or a saved budget
 * (hosts wake the town on both), and a new budget period starts from zero spend. Its ticks are spread
 * over the dormant interval by `spread` (see tickSpread) so a host's towns do not all wake at once.
 */
export function nextTickAt(
  state: TownState | ScheduleState,
  now: number,
  intervals: TickIntervals = { activeMs: ACTIVE_TICK_MS, idleMs: IDLE_TICK_MS },
  spread = 0,
): number {
  if ('beadsBehind' in state && state.beadsBehind) {
    const interval = Math.min(intervals.activeMs, CATCH_UP_TICK_MS);
    return (Math.floor(now / interval) + 1) * interval;
  }
  const active = state.lastIngestAt !== null && state.lastIngestAt >= now - ACTIVE_WINDOW_MS;
  if (!active && 'unsettled' in state && isDormant(state, now)) {
    const interval = intervals.dormantMs ?? DORMANT_TICK_MS;
    const offset = Math.floor(spread * interval);
    return (Math.floor((now - offset) / interval) + 1) * interval + offset;
  }
  const interval = active ? intervals.activeMs : intervals.idleMs;
  return (Math.floor(now / interval) + 1) * interval;
}

function isDormant(state: ScheduleState, now: number): boolean {
  return !state.unsettled && (state.locExpiresAt === null || state.locExpiresAt <= now);
}

/** A town's fixed place in [0, 1) (FNV-1a of its id), to spread dormant ticks. */
export function tickSpread(townId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < townId.length; i++) h = Math.imul(h ^ townId.charCodeAt(i), 0x01000193) >>> 0;
  return h / 2 ** 32;
}
