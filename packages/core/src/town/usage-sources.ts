import type { Sql } from '../sql.js';

/**
 * Two signals of one sender can describe the same spend (Claude Code's `claude_code.api_request` log
 * events and its token and cost metrics; Codex's `codex.sse_event` logs and `codex.turn.token_usage`)
 * with no shared id to match them by. A record may name the spend it belongs to (`key`, e.g. a digest of
 * resource + agent + session) and its signal (`name`): the first signal counted for a key claims it, and
 * records of another signal for that key are ignored, so the spend is counted once whatever the order.
 */
export interface UsageSource {
  key: string;
  name: string;
}

/** One request's view of the claims (the request's savepoint rolls its claims back with it). */
export class UsageSources {
  private readonly known = new Map<string, string>();

  constructor(private readonly sql: Sql) {}

  /** True when another signal already counts this key. */
  superseded(source: UsageSource): boolean {
    let owner = this.known.get(source.key);
    if (owner === undefined) {
      owner = this.sql.rows('SELECT source FROM usage_sources WHERE key = ?', source.key)[0]?.[0] as string | undefined;
      if (owner !== undefined) this.known.set(source.key, owner);
    }
    return owner !== undefined && owner !== source.name;
  }

  /** Claims the key for this signal (or keeps it alive: pruned with the usage records, by event time). */
  claim(source: UsageSource, at: number): void {
    this.known.set(source.key, this.known.get(source.key) ?? source.name);
    this.sql.run(
      `INSERT INTO usage_sources (key, source, last_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET last_at = max(last_at, excluded.last_at)`,
      source.key,
      source.name,
      at,
    );
  }
}
