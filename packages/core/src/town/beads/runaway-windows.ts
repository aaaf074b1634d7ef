import type { Sql } from '../../sql.js';
import { MINUTE } from './totals.js';

/** The agent rules whose cost over a window of minutes the tick keeps per agent. */
export type WindowRule = 'spendRate' | 'noProgress';

/**
 * Each agent's cost over a rule's window, kept as a running sum (`runaway_window`) instead of summed
 * from the records on every tick: the window is the `minutes` whole minutes of first_at ending with the
 * current one. The tick's re-apply (totals.ts) adds a record's change to every window covering its minute;
 * here each tick slides the window, adding the minutes that entered and subtracting those that left
 * (`agent_minutes`), so a tick reads the agents active in the minutes slid, not the window. A new length,
 * a rule switched on, or a tick after a gap longer than the window rebuilds it from the minutes once.
 */
export function slideWindow(sql: Sql, rule: WindowRule, minutes: number | null, now: number): void {
  if (minutes === null) {
    sql.run('DELETE FROM runaway_window WHERE rule = ?', rule);
    sql.run('DELETE FROM runaway_window_spans WHERE rule = ?', rule);
    return;
  }
  const end = Math.floor(now / MINUTE);
  const span = sql.rows('SELECT minutes, end_minute FROM runaway_window_spans WHERE rule = ?', rule)[0] as
    | [number, number]
    | undefined;
  // Within the same minute there is nothing to slide (ticks come every few seconds).
  if (span && span[0] === minutes && end === span[1]) return;
  if (!span || span[0] !== minutes || end < span[1] || end - span[1] >= minutes) {
    sql.run('DELETE FROM runaway_window WHERE rule = ?', rule);
    addMinutes(sql, rule, end - minutes, end, 1);
  } else if (end > span[1]) {
    addMinutes(sql, rule, span[1], end, 1);
    addMinutes(sql, rule, span[1] - minutes, end - minutes, -1);
    sql.run('DELETE FROM runaway_window WHERE rule = ? AND cost_microdollars = 0', rule);
  }
  sql.run('INSERT OR REPLACE INTO runaway_window_spans (rule, minutes, end_minute) VALUES (?, ?, ?)', rule, minutes, end);
}

/** Adds (sign 1) or subtracts (-1) each agent's cost in the minutes (after, upTo]. */
function addMinutes(sql: Sql, rule: WindowRule, after: number, upTo: number, sign: 1 | -1): void {
  sql.run(
    `INSERT INTO runaway_window (rule, agent_id, cost_microdollars)
     SELECT ?, agent_id, ? * SUM(cost_microdollars) FROM agent_minutes WHERE minute > ? AND minute <= ? GROUP BY agent_id
     ON CONFLICT (rule, agent_id) DO UPDATE SET cost_microdollars = cost_microdollars + excluded.cost_microdollars`,
    rule,
    sign,
    after,
    upTo,
  );
}

/** Per-minute costs kept at most this long (the longest window, MAX_RUNAWAY_MINUTES, and a minute). */
export function pruneAgentMinutes(sql: Sql, now: number, keepMinutes: number, batch: number): number {
  return sql.run(
    `DELETE FROM agent_minutes WHERE (minute, agent_id) IN
       (SELECT minute, agent_id FROM agent_minutes WHERE minute < ? ORDER BY minute LIMIT ${batch})`,
    Math.floor(now / MINUTE) - keepMinutes - 1,
  );
}
