import type Database from 'better-sqlite3';
import type { Amounts, Sent, StepLedger } from './steps.js';

/** Step rows kept (about 150 bytes each); past it the oldest go. */
export const MAX_STEP_ROWS = 2_000_000;
/** Inserts between two counts of the table (a count of 2M rows takes some 10 ms). */
const COUNT_EVERY = 10_000;

/**
 * Step-finish parts, and each message's first agent, in the reporter's state database: a reporter restarted in the middle of a
 * long message (OpenCode's event stream does not replay what it missed) still knows the steps it saw.
 * Each add commits on its own, like the records it leads to.
 *
 * Bounded, as the outbox is: a live server can send step-finish parts of distinct ids as fast as the
 * reporter reads them (7,000 rows, 1.6 MB a second in a test), and nothing else limits them. Past
 * `maxRows` the oldest rows go, which is safe: a step forgotten only lowers a message's step sum, and
 * the records already sent are cumulative, so the server keeps the larger totals.
 */
export class SqliteStepLedger implements StepLedger {
  private readonly insert: Database.Statement;
  private readonly select: Database.Statement;
  private readonly count: Database.Statement;
  private readonly trim: Database.Statement;
  private readonly insertAgent: Database.Statement;
  private readonly selectAgent: Database.Statement;
  private readonly countAgents: Database.Statement;
  private readonly trimAgents: Database.Statement;
  private readonly upsertSent: Database.Statement;
  private readonly selectSent: Database.Statement;
  private readonly countSent: Database.Statement;
  private readonly trimSent: Database.Statement;
  private sinceCount = COUNT_EVERY;
  private agentsSinceCount = COUNT_EVERY;
  private sentSinceCount = COUNT_EVERY;

  constructor(
    db: Database.Database,
    private readonly maxRows = MAX_STEP_ROWS,
  ) {
    this.count = db.prepare('SELECT count(*) FROM opencode_steps').pluck();
    this.trim = db.prepare('DELETE FROM opencode_steps WHERE rowid IN (SELECT rowid FROM opencode_steps ORDER BY rowid LIMIT ?)');
    this.insert = db.prepare(
      `INSERT OR IGNORE INTO opencode_steps (part_id, message_id, input, output, reasoning, cache_read, cache_write, cost, seen_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertAgent = db.prepare('INSERT OR IGNORE INTO opencode_agents (message_id, agent_id, seen_at) VALUES (?, ?, ?)');
    this.selectAgent = db.prepare('SELECT agent_id FROM opencode_agents WHERE message_id = ?').pluck();
    this.countAgents = db.prepare('SELECT count(*) FROM opencode_agents').pluck();
    this.trimAgents = db.prepare(
      'DELETE FROM opencode_agents WHERE rowid IN (SELECT rowid FROM opencode_agents ORDER BY rowid LIMIT ?)',
    );
    this.upsertSent = db.prepare(
      `INSERT INTO opencode_sent (message_id, totals, agent_id, seen_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (message_id) DO UPDATE SET totals = excluded.totals, agent_id = excluded.agent_id, seen_at = excluded.seen_at`,
    );
    this.selectSent = db.prepare('SELECT totals AS key, agent_id AS agentId FROM opencode_sent WHERE message_id = ?');
    this.countSent = db.prepare('SELECT count(*) FROM opencode_sent').pluck();
    this.trimSent = db.prepare(
      'DELETE FROM opencode_sent WHERE rowid IN (SELECT rowid FROM opencode_sent ORDER BY rowid LIMIT ?)',
    );
    this.select = db.prepare(
      `SELECT count(*) AS n, sum(input) AS input, sum(output) AS output, sum(reasoning) AS reasoning,
         sum(cache_read) AS cacheRead, sum(cache_write) AS cacheWrite, sum(cost) AS cost
       FROM opencode_steps WHERE message_id = ?`,
    );
  }

  add(messageId: string, partId: string, s: Amounts): boolean {
    const added =
      this.insert.run(partId, messageId, s.input, s.output, s.reasoning, s.cacheRead, s.cacheWrite, s.cost, Date.now()).changes >
      0;
    if (added && ++this.sinceCount >= Math.min(COUNT_EVERY, this.maxRows)) {
      this.sinceCount = 0;
      const over = (this.count.get() as number) - this.maxRows;
      if (over > 0) this.trim.run(over);
    }
    return added;
  }

  firstAgent(messageId: string, agentId: string): string {
    if (this.insertAgent.run(messageId, agentId, Date.now()).changes === 0)
      return (this.selectAgent.get(messageId) as string | undefined) ?? agentId;
    // Bounded like the steps: a forgotten message only loses this memory (see StepLedger.firstAgent).
    if (++this.agentsSinceCount >= Math.min(COUNT_EVERY, this.maxRows)) {
      this.agentsSinceCount = 0;
      const over = (this.countAgents.get() as number) - this.maxRows;
      if (over > 0) this.trimAgents.run(over);
    }
    return agentId;
  }

  sent(messageId: string): Sent | undefined {
    return this.selectSent.get(messageId) as Sent | undefined;
  }

  setSent(messageId: string, sent: Sent): void {
    this.upsertSent.run(messageId, sent.key, sent.agentId, Date.now());
    // Bounded like the steps: a forgotten message is only sent once more when read again (the server keeps the larger).
    if (++this.sentSinceCount >= Math.min(COUNT_EVERY, this.maxRows)) {
      this.sentSinceCount = 0;
      const over = (this.countSent.get() as number) - this.maxRows;
      if (over > 0) this.trimSent.run(over);
    }
  }

  sum(messageId: string): Amounts | undefined {
    const r = this.select.get(messageId) as Amounts & { n: number };
    if (r.n === 0) return undefined;
    return {
      input: r.input,
      output: r.output,
      reasoning: r.reasoning,
      cacheRead: r.cacheRead,
      cacheWrite: r.cacheWrite,
      cost: r.cost,
    };
  }
}

/** Forgets steps, first agents and the totals last sent older than `maxAgeMs` (default 45 days). */
export function pruneOpencodeSteps(db: Database.Database, now: number, maxAgeMs = 45 * 86_400_000): number {
  db.prepare('DELETE FROM opencode_agents WHERE seen_at < ?').run(now - maxAgeMs);
  db.prepare('DELETE FROM opencode_sent WHERE seen_at < ?').run(now - maxAgeMs);
  return db.prepare('DELETE FROM opencode_steps WHERE seen_at < ?').run(now - maxAgeMs).changes;
}
