import type Database from 'better-sqlite3';
import type { Amounts, StepLedger } from './steps.js';

/**
 * Step-finish parts in the reporter's state database: a reporter restarted in the middle of a
 * long message (OpenCode's event stream does not replay what it missed) still knows the steps it saw.
 * Each add commits on its own, like the records it leads to.
 */
export class SqliteStepLedger implements StepLedger {
  private readonly insert: Database.Statement;
  private readonly select: Database.Statement;

  constructor(db: Database.Database) {
    this.insert = db.prepare(
      `INSERT OR IGNORE INTO opencode_steps (part_id, message_id, input, output, reasoning, cache_read, cache_write, cost, seen_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.select = db.prepare(
      `SELECT count(*) AS n, sum(input) AS input, sum(output) AS output, sum(reasoning) AS reasoning,
         sum(cache_read) AS cacheRead, sum(cache_write) AS cacheWrite, sum(cost) AS cost
       FROM opencode_steps WHERE message_id = ?`,
    );
  }

  add(messageId: string, partId: string, s: Amounts): boolean {
    return (
      this.insert.run(partId, messageId, s.input, s.output, s.reasoning, s.cacheRead, s.cacheWrite, s.cost, Date.now()).changes >
      0
    );
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

/** Forgets steps older than `maxAgeMs` (default 45 days). */
export function pruneOpencodeSteps(db: Database.Database, now: number, maxAgeMs = 45 * 86_400_000): number {
  return db.prepare('DELETE FROM opencode_steps WHERE seen_at < ?').run(now - maxAgeMs).changes;
}
