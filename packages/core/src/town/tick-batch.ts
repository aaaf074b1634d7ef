import { MAX_BEAD_RECORDS_APPLIED_PER_TICK } from './beads/totals.js';

/**
 * How long one tick may hold its host, roughly: a Node host runs every town's tick and every request on one event
 * loop. A tick indexes and applies to the bead totals at most a batch of usage records; 50,000 take 0.3–0.6 s in a
 * town of ordinary size, but seconds in one of a gigabyte (a page cache far smaller than its indexes): there, one
 * token's backfill stalled every other town's requests for 2–3.5 s every 5 s.
 */
export const TICK_TARGET_MS = 250;
/** The least a tick indexes and applies, however slow: catching up must still move (ingest indexes itself past its bound). */
export const MIN_TICK_BATCH = 1_000;
/** The most: the cap the bead reads' backlog bound (beads/backlog.ts) and the catch-up interval are set for. */
export const MAX_TICK_BATCH = MAX_BEAD_RECORDS_APPLIED_PER_TICK;

/** `batch` within MIN_TICK_BATCH..MAX_TICK_BATCH (a whole number; anything else is the cap). */
export function clampTickBatch(batch: number): number {
  if (!Number.isSafeInteger(batch)) return MAX_TICK_BATCH;
  return Math.min(MAX_TICK_BATCH, Math.max(MIN_TICK_BATCH, batch));
}

/**
 * The records a town's next tick works through, from how long the last one took: scaled down to TICK_TARGET_MS when it
 * took longer, doubled back towards the cap when a full batch (`applied` equal to it) took under half. A tick with
 * little to do says nothing about the cost of a record and leaves the size as it is.
 */
export function nextTickBatch(batch: number, elapsedMs: number, applied: number): number {
  if (elapsedMs > TICK_TARGET_MS) return Math.max(MIN_TICK_BATCH, Math.floor((batch * TICK_TARGET_MS) / elapsedMs));
  if (applied >= batch && elapsedMs < TICK_TARGET_MS / 2) return Math.min(MAX_TICK_BATCH, batch * 2);
  return batch;
}
