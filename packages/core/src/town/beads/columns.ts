import { USAGE_AMOUNTS } from '../bounds.js';

/**
 * Which bead a usage amount belongs to, decided at read time from intervals (ARCHITECTURE.md, "Cost per
 * bead"): the record's own `bead_id`; otherwise the bead of the agent's latest `agent_beads` row at or
 * before the record's earliest event time (`first_at`), rows at the same ms ordered by event id; otherwise
 * none. Ingest stores nothing per record for it, so the order in which usage and agent events arrive
 * cannot change the answer; the tick keeps totals of it (totals.ts) that reads correct to the same answer.
 */
export const RECORD_BEAD = `COALESCE(u.bead_id, (SELECT ab.bead_id FROM agent_beads ab
  WHERE ab.agent_id = u.agent_id AND ab.at <= u.first_at ORDER BY ab.at DESC, ab.event_id DESC LIMIT 1))`;

/** The five token kinds and the cost, in USAGE_AMOUNTS order. */
export const AMOUNT_COLUMNS = USAGE_AMOUNTS.map(([, column]) => column);
export const COST_INDEX = AMOUNT_COLUMNS.indexOf('cost_microdollars');

/** The agents a bead's row names at most (the first by id); reads take no more than these per bead. */
export const MAX_BEAD_AGENTS = 20;
