import { AppError } from '../../errors.js';
import type { Sql } from '../../sql.js';
import { AMOUNT_COLUMNS, COST_INDEX, END_OF_TIME, usageOf, usageParts } from './attribution.js';
import { usageByBeadSql } from './list.js';
import { NO_BEAD } from './totals.js';

export interface BeadStats {
  /** Beads closed in the range. */
  closedBeads: number;
  /** Over the beads closed in the range, each bead's whole cost (its usage up to the range's end); null when none. */
  costPerClosedBead: { median: number | null; p90: number | null };
  /** Tokens (five kinds) per line of code at review, over the closed beads whose lines are known; null when none. */
  tokensPerLine: number | null;
  /** Of the spend in the range on beads, the share on beads not closed by now (0 when there is none). */
  neverClosedShare: number;
  noBeadCostMicrodollars: number;
  /** Everything dated in the range: the sum over beads plus no bead. */
  totalCostMicrodollars: number;
}

const COST = AMOUNT_COLUMNS[COST_INDEX] as string;
/** The five token kinds of the rows aliased `alias`, summed. */
const tokensOf = (alias: string) =>
  AMOUNT_COLUMNS.filter((_, i) => i !== COST_INDEX)
    .map((c) => `${alias}.${c}`)
    .join(' + ');

/**
 * The stats in one SQL statement (and one for the no-bead spend), each bead summed and ranked inside
 * SQLite on beads.list's per-bead usage: a
 * town of 100,000 beads read into JS maps took 0.4-0.65 s of a Node host’s event loop a call
 * (bench/beads-stats-100k.ts).
 */
export function beadStats(sql: Sql, q: { from?: number | undefined; to?: number | undefined } = {}): BeadStats {
  const from = q.from ?? 0;
  const to = q.to ?? END_OF_TIME;
  if (to <= from) throw new AppError('bad_request', 'to must be after from', { path: 'to' });
  const usage = usageByBeadSql(from, to);
  // Each closed bead's whole cost: its usage up to the range's end (the range's own when it starts at 0).
  const closedIn = { sql: 'SELECT id FROM beads WHERE closed_at >= ? AND closed_at < ?', params: [from, to] };
  const wholeParts = from === 0 ? undefined : usageParts(0, to, closedIn, false);
  const whole =
    from === 0
      ? ''
      : `, whole AS MATERIALIZED (${
          wholeParts === undefined
            ? `SELECT '' AS bead, ${AMOUNT_COLUMNS.map((c) => `0 AS ${c}`).join(', ')} WHERE false`
            : `SELECT bead, ${AMOUNT_COLUMNS.map((c) => `SUM(${c}) AS ${c}`).join(', ')} FROM (${wholeParts.sql}) GROUP BY bead HAVING SUM(n) > 0`
        })`;
  const [onBeads, neverClosed, closedBeads, median, p90, tokens, lines] = sql.rows(
    `WITH ${usage.ctes}${whole}
     SELECT (SELECT COALESCE(SUM(${COST}), 0) FROM usage),
       (SELECT COALESCE(SUM(${COST}), 0) FROM usage u
          WHERE NOT EXISTS (SELECT 1 FROM beads b WHERE b.id = u.bead AND b.closed_at IS NOT NULL)),
       COUNT(*), MAX(CASE WHEN rn = (cnt + 1) / 2 THEN cost END), MAX(CASE WHEN rn = (9 * cnt + 9) / 10 THEN cost END),
       COALESCE(SUM(CASE WHEN loc > 0 THEN tokens ELSE 0 END), 0), COALESCE(SUM(CASE WHEN loc > 0 THEN loc ELSE 0 END), 0)
     FROM (SELECT COALESCE(w.${COST}, 0) AS cost, COALESCE(${tokensOf('w')}, 0) AS tokens,
             c.loc_at_review AS loc, ROW_NUMBER() OVER (ORDER BY COALESCE(w.${COST}, 0)) AS rn, COUNT(*) OVER () AS cnt
           FROM beads c LEFT JOIN ${from === 0 ? 'usage' : 'whole'} w ON w.bead = c.id WHERE c.closed_at >= ? AND c.closed_at < ?)`,
    ...usage.params,
    ...(wholeParts?.params ?? []),
    from,
    to,
  )[0] as [number, number, number, number | null, number | null, number, number];
  // The no-bead spend: its own rows only.
  const noBead = usageOf(sql, from, to, [NO_BEAD], false).get(null)?.amounts[COST_INDEX] ?? 0;
  return {
    closedBeads,
    // Nearest rank, in integers: rank ceil(N / 2) for the median, ceil(9N / 10) for p90.
    costPerClosedBead: { median, p90 },
    tokensPerLine: lines > 0 ? tokens / lines : null,
    neverClosedShare: onBeads > 0 ? neverClosed / onBeads : 0,
    noBeadCostMicrodollars: noBead,
    totalCostMicrodollars: onBeads + noBead,
  };
}
