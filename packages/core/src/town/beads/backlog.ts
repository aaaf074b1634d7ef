import { AppError } from '../../errors.js';
import type { Sql } from '../../sql.js';
import { MAX_BEAD_RECORDS_APPLIED_PER_TICK } from './totals.js';

/**
 * Usage records a bead read corrects its totals with at most (one tick's re-apply budget). Every bead read
 * adds the records the tick has not yet applied to the per-bead totals (PENDING_RECS), at a cost that grows
 * with them: 400,000 made one beads.list cost seconds of a Node host's event loop. Past this, bead reads of
 * the town are a 503 (`unavailable`, Retry-After) until the tick has caught up. Ingest is never refused for
 * it: exporters retry for a while only, and losing usage is worse than a bead page that is briefly late.
 */
export const MAX_BEAD_READ_BACKLOG = MAX_BEAD_RECORDS_APPLIED_PER_TICK;

/**
 * How many records a bead read would correct for, counted up to `MAX_BEAD_READ_BACKLOG + 1`: new since the
 * tick's mark, updated since (bead_dirty), and moved by agent events dated in the past (bead_moves: each
 * move's records found by the agent's time index, stopping once the bound is passed).
 */
export function beadBacklog(sql: Sql): number {
  const [plain] = sql.rows(
    // A record updated past the mark is dirty and new at once: counted once, as new.
    `SELECT COALESCE((SELECT MAX(rowid) FROM usage_records), 0) - bead_applied_upto
       + (SELECT COUNT(*) FROM bead_dirty WHERE rec <= bead_applied_upto)
     FROM town_state WHERE id = 1`,
  )[0] as [number];
  if (plain > MAX_BEAD_READ_BACKLOG) return plain;
  // The moved records as PENDING_RECS selects them, less those counted above as new (past the mark).
  const [moved] = sql.rows(
    `SELECT COUNT(*) FROM (SELECT 1 FROM bead_moves m JOIN usage_times t ON t.agent_id = m.agent_id
       AND t.first_at >= m.from_at AND t.first_at < m.to_at AND (t.first_at > m.from_at OR t.rec > m.from_rec)
       AND t.rec <= (SELECT bead_applied_upto FROM town_state WHERE id = 1) LIMIT ?)`,
    MAX_BEAD_READ_BACKLOG + 1 - plain,
  )[0] as [number];
  return plain + moved;
}

/** Throws the 503 of MAX_BEAD_READ_BACKLOG when a bead read of the town would correct for more records. */
export function assertBeadReadsCaughtUp(sql: Sql): void {
  const backlog = beadBacklog(sql);
  if (backlog <= MAX_BEAD_READ_BACKLOG) return;
  throw new AppError(
    'unavailable',
    `the town's per-bead totals are catching up (more than ${MAX_BEAD_READ_BACKLOG} usage records not yet applied); retry in a few seconds`,
    { path: 'townId' },
  );
}
