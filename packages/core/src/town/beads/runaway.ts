import { AppError } from '../../errors.js';
import type { Sql } from '../../sql.js';
import { tupleKey } from '../../tuple-key.js';
import { SYSTEM_EVENT_PREFIX } from '../events.js';
import { appendOutbox } from '../outbox.js';
import { beadCost } from './attribution.js';
import { checkedBead, clearBeadQueue, pendingBeads, queueAllBeads, queueBeadsOfNewUsage } from './budget-queue.js';
import { slideWindow } from './runaway-windows.js';
import { MINUTE } from './totals.js';

/** Per-town circuit breakers on spend (issue 12). Ingest never looks at them: they alert, they never drop data. */
export interface RunawayRules {
  /** An agent spending more than `microdollars` within the last `windowMinutes` whole minutes (the current one included). */
  spendRate: { enabled: boolean; microdollars: number; windowMinutes: number };
  /**
   * An agent on a bead that spent at least `minMicrodollars` in the last `minutes` (whole minutes, as above) while neither its lines
   * of code, its bead's status nor its bead changed (an agent without a bead, a mayor, is not expected to write code).
   */
  noProgress: { enabled: boolean; minutes: number; minMicrodollars: number };
  /** A cap on each bead's cost: alerts at 80 % and 100 %; null: off. */
  beadBudgetMicrodollars: number | null;
}

export type RunawayRule = 'spendRate' | 'noProgress' | 'beadBudget';

/** $5 in 10 minutes is $30 an hour from one agent; 30 minutes of spending $1 or more without a line or status changing. */
export const DEFAULT_RUNAWAY_RULES: RunawayRules = {
  spendRate: { enabled: true, microdollars: 5_000_000, windowMinutes: 10 },
  noProgress: { enabled: true, minutes: 30, minMicrodollars: 1_000_000 },
  beadBudgetMicrodollars: null,
};
export const MAX_RUNAWAY_MICRODOLLARS = 1_000_000_000_000;
export const MAX_RUNAWAY_MINUTES = 1440;
const BEAD_BUDGET_LEVELS = [80, 100] as const;
/** Beads the budget rule checks per tick at most (~40 µs each); the rest wait in the queue for the next ticks. */
export const MAX_BEADS_CHECKED_PER_TICK = 500;
/** Bead budget alerts (new episodes or 80 % → 100 %) one tick raises at most; the rest on the next ticks. */
export const MAX_BEAD_ALERTS_PER_TICK = 100;
/** New spend-rate and no-progress episodes (alerts) one tick raises at most, worst first; the rest on the next ticks. */
export const MAX_AGENT_ALERTS_PER_TICK = 100;

type Firing = Map<string, { level: number; details: object }>;

export function runawayRules(sql: Sql): RunawayRules {
  const body = sql.rows('SELECT body FROM runaway_rules WHERE id = 1')[0]?.[0] as string | undefined;
  return body === undefined ? DEFAULT_RUNAWAY_RULES : (JSON.parse(body) as RunawayRules);
}

function check(ok: boolean, path: string, message: string): void {
  if (!ok) throw new AppError('bad_request', `${path}: ${message}`, { path });
}

const amount = (v: number, min: number) => Number.isSafeInteger(v) && v >= min && v <= MAX_RUNAWAY_MICRODOLLARS;
const minutes = (v: number) => Number.isSafeInteger(v) && v >= 1 && v <= MAX_RUNAWAY_MINUTES;

/**
 * Replaces the town's rules. Episodes of a rule that is now off, or whose condition the new values no
 * longer meet, end on the next tick (and re-arm); a bead budget keeps the levels it already announced
 * while the new cap keeps them crossed.
 */
export function setRunawayRules(sql: Sql, rules: RunawayRules): RunawayRules {
  check(amount(rules.spendRate.microdollars, 1), 'spendRate.microdollars', `1 to ${MAX_RUNAWAY_MICRODOLLARS}`);
  check(minutes(rules.spendRate.windowMinutes), 'spendRate.windowMinutes', `1 to ${MAX_RUNAWAY_MINUTES}`);
  check(minutes(rules.noProgress.minutes), 'noProgress.minutes', `1 to ${MAX_RUNAWAY_MINUTES}`);
  check(amount(rules.noProgress.minMicrodollars, 0), 'noProgress.minMicrodollars', `0 to ${MAX_RUNAWAY_MICRODOLLARS}`);
  const cap = rules.beadBudgetMicrodollars;
  check(cap === null || amount(cap, 1), 'beadBudgetMicrodollars', `null or 1 to ${MAX_RUNAWAY_MICRODOLLARS}`);
  const clean: RunawayRules = {
    spendRate: { ...rules.spendRate },
    noProgress: { ...rules.noProgress },
    beadBudgetMicrodollars: cap,
  };
  if (cap !== runawayRules(sql).beadBudgetMicrodollars) queueAllBeads(sql);
  sql.run('INSERT OR REPLACE INTO runaway_rules (id, body) VALUES (1, ?)', JSON.stringify(clean));
  return clean;
}

/** An episode under way: an agent (spendRate, noProgress) or a bead (beadBudget, with its level) flagged since `since`. */
export interface RunawayEpisode {
  rule: RunawayRule;
  subject: string;
  since: number;
  level: number;
}

/** Episodes shown at most: one per agent or bead, so a town's count is unbounded (the agents list marks every flagged agent). */
export const MAX_RUNAWAY_EPISODES_SHOWN = 500;

/** The episodes under way, longest-running first: all of them for the tick, at most `limit` to show. */
export function runawayEpisodes(sql: Sql, limit = -1): RunawayEpisode[] {
  return sql.all<RunawayEpisode>(
    'SELECT rule, subject, since, level FROM runaway_episodes ORDER BY since, rule, subject LIMIT ?',
    limit,
  );
}

/**
 * In the tick's transaction: each rule's subjects that meet its condition now. A subject that starts to
 * meet it opens an episode, records a `runaway` town event and an outbox entry (the host turns it into
 * an alert); while the episode lasts nothing more is raised; once the condition clears the episode ends
 * and the rule re-arms for that subject. A bead's budget episode raises again when it goes from 80 % to 100 %.
 */
export function evaluateRunaway(sql: Sql, now: number): void {
  const rules = runawayRules(sql);
  const open = new Map(runawayEpisodes(sql).map((e) => [tupleKey(e.rule, e.subject), e]));
  const budget =
    rules.beadBudgetMicrodollars === null ? { firing: new Map(), checked: null } : beadBudget(sql, rules.beadBudgetMicrodollars);
  if (rules.beadBudgetMicrodollars === null) clearBeadQueue(sql);
  slideWindow(sql, 'spendRate', rules.spendRate.enabled ? rules.spendRate.windowMinutes : null, now);
  slideWindow(sql, 'noProgress', rules.noProgress.enabled ? rules.noProgress.minutes : null, now);
  const firing = new Map<RunawayRule, Firing>([
    ['spendRate', rules.spendRate.enabled ? spendRate(sql, rules.spendRate) : new Map()],
    ['noProgress', rules.noProgress.enabled ? noProgress(sql, now, rules.noProgress) : new Map()],
    ['beadBudget', budget.firing],
  ]);
  let agentAlerts = 0;
  // A bead not checked this tick keeps its episode as it is.
  for (const [key, e] of open) if (e.rule === 'beadBudget' && budget.checked?.has(e.subject) === false) open.delete(key);
  for (const [rule, subjects] of firing) {
    for (const [subject, { level, details }] of subjects) {
      const episode = open.get(tupleKey(rule, subject));
      open.delete(tupleKey(rule, subject));
      if (episode && episode.level >= level) continue;
      // Past the bound an agent stays unflagged this tick and is raised on a later one (the bead budget bounds its own).
      if (rule !== 'beadBudget' && agentAlerts++ >= MAX_AGENT_ALERTS_PER_TICK) continue;
      sql.run(
        `INSERT INTO runaway_episodes (rule, subject, since, level) VALUES (?, ?, ?, ?)
         ON CONFLICT (rule, subject) DO UPDATE SET level = excluded.level`,
        rule,
        subject,
        now,
        level,
      );
      raise(sql, now, rule, subject, { ...details, since: episode?.since ?? now });
    }
  }
  for (const ended of open.values()) {
    sql.run('DELETE FROM runaway_episodes WHERE rule = ? AND subject = ?', ended.rule, ended.subject);
  }
}

function raise(sql: Sql, now: number, rule: RunawayRule, subject: string, details: object): void {
  const subjectField = rule === 'beadBudget' ? { beadId: subject } : { agentId: subject };
  const body = { rule, ...subjectField, ...details };
  const seq = appendOutbox(sql, 'runaway', now, 0, body);
  // A reserved id (reporters cannot send it); DO NOTHING all the same, so no event can fail the tick and stop billing.
  sql.run(
    "INSERT INTO events (id, at, type, agent_id, bead_id, status, body) VALUES (?, ?, 'runaway', ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
    `${SYSTEM_EVENT_PREFIX}runaway:${seq}`,
    now,
    rule === 'beadBudget' ? null : subject,
    // The feed links the bead: the one over budget, or the one the flagged agent works on.
    rule === 'beadBudget' ? subject : beadOf(sql, subject),
    rule,
    JSON.stringify({ type: 'runaway', ...body }),
  );
}

function beadOf(sql: Sql, agentId: string): string | null {
  return (sql.rows('SELECT bead_id FROM agents WHERE id = ?', agentId)[0]?.[0] as string | null | undefined) ?? null;
}

/**
 * Agents whose cost over the window (runaway-windows.ts) is above `microdollars`, worst first: an index
 * range of the running sums, so a tick reads the offenders, not the records.
 */
function spendRate(sql: Sql, r: RunawayRules['spendRate']): Firing {
  const rows = sql.rows(
    `SELECT agent_id, cost_microdollars FROM runaway_window WHERE rule = 'spendRate' AND cost_microdollars > ?
     ORDER BY cost_microdollars DESC, agent_id`,
    r.microdollars,
  ) as [string, number][];
  return new Map(
    rows.map(([agent, cost]) => [
      agent,
      { level: 1, details: { costMicrodollars: cost, limitMicrodollars: r.microdollars, windowMinutes: r.windowMinutes } },
    ]),
  );
}

/**
 * Agents on a bead that spent at least `minMicrodollars` (and something) over the window while neither
 * their lines, their bead's status nor their bead changed within it: one query over the agents whose
 * running sum is high enough, worst first.
 */
function noProgress(sql: Sql, now: number, r: RunawayRules['noProgress']): Firing {
  const from = now - r.minutes * MINUTE;
  const rows = sql.rows(
    `SELECT w.agent_id, w.cost_microdollars, a.bead_id FROM runaway_window w JOIN agents a ON a.id = w.agent_id
     WHERE w.rule = 'noProgress' AND w.cost_microdollars >= ? AND a.bead_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM loc WHERE agent_id = w.agent_id AND changed_at > ?)
       AND NOT EXISTS (SELECT 1 FROM beads b WHERE b.id = a.bead_id AND b.status_at > ?)
       AND NOT EXISTS (SELECT 1 FROM agent_beads WHERE agent_id = w.agent_id AND at > ?)
     ORDER BY w.cost_microdollars DESC, w.agent_id`,
    Math.max(1, r.minMicrodollars),
    from,
    from,
    from,
  ) as [string, number, string][];
  return new Map(
    rows.map(([agent, cost, beadId]) => [agent, { level: 1, details: { costMicrodollars: cost, minutes: r.minutes, beadId } }]),
  );
}

/**
 * Against the cap: the beads whose cost may have changed since they were last checked (budget-queue.ts),
 * oldest first, at most MAX_BEADS_CHECKED_PER_TICK, stopping once MAX_BEAD_ALERTS_PER_TICK would be
 * raised; a bead not reached stays queued. Returns the firing beads and every bead checked.
 */
function beadBudget(sql: Sql, cap: number): { firing: Firing; checked: Set<string> } {
  queueBeadsOfNewUsage(sql);
  const firing: Firing = new Map();
  const checked = new Set<string>();
  let alerts = 0;
  for (const bead of pendingBeads(sql, MAX_BEADS_CHECKED_PER_TICK)) {
    const cost = beadCost(sql, bead);
    const level = BEAD_BUDGET_LEVELS.filter((l) => cost * 100 >= cap * l).at(-1);
    if (level !== undefined) {
      const announced = sql.rows("SELECT level FROM runaway_episodes WHERE rule = 'beadBudget' AND subject = ?", bead)[0]?.[0] as
        | number
        | undefined;
      if ((announced ?? 0) < level && alerts++ >= MAX_BEAD_ALERTS_PER_TICK) break;
      firing.set(bead, { level, details: { costMicrodollars: cost, capMicrodollars: cap, percent: level } });
    }
    checked.add(bead);
    checkedBead(sql, bead);
  }
  return { firing, checked };
}
