import type { Sql } from '../sql.js';

/**
 * Two signals of one sender can describe the same spend (Claude Code's `claude_code.api_request` log
 * events and its token and cost metrics; Codex's `codex.sse_event` logs and `codex.turn.token_usage`),
 * and two paths can describe one agent CLI session (its OTLP export, and its transcript read by a reporter
 * that posts it over REST), with no shared id to match them by. A record may name the keys it is counted
 * under, each with the signal or path it comes from (`name`): the first name counted for a key owns it,
 * and records of another name for that key are ignored, so the spend is counted once whatever the order.
 * An owner silent for SOURCE_HANDOVER_MS of event time hands the key over to the next name that counts,
 * so a sender reconfigured from one signal to the other is not ignored for good.
 */
export interface UsageSource {
  key: string;
  name: string;
}

/** How long (event time) an owning signal may be silent before another signal of its sender takes over. */
export const SOURCE_HANDOVER_MS = 3_600_000;

/**
 * An owner's time is stored again only once it moved this far (event time) past the stored one: a
 * stream of records of one owner writes its row about once a minute, not once a record. A handover may so
 * come up to this much early.
 */
const STORE_EVERY_MS = 60_000;

interface Owner {
  name: string;
  lastAt: number;
  /** `lastAt` as the table holds it (undefined: no row yet). */
  storedAt: number | undefined;
}

/** One request's view of the owners (the request's savepoint rolls its claims back with it). */
export class UsageSources {
  private readonly owners = new Map<string, Owner | null>();

  constructor(private readonly sql: Sql) {}

  private owner(key: string): Owner | null {
    let owner = this.owners.get(key);
    if (owner === undefined) {
      const row = this.sql.rows('SELECT source, last_at FROM usage_sources WHERE key = ?', key)[0];
      owner = row ? { name: row[0] as string, lastAt: row[1] as number, storedAt: row[1] as number } : null;
      this.owners.set(key, owner);
    }
    return owner;
  }

  /** True when another signal owns this key's spend at event time `at`. */
  superseded(source: UsageSource, at: number): boolean {
    const owner = this.owner(source.key);
    return owner !== null && owner.name !== source.name && owner.lastAt > at - SOURCE_HANDOVER_MS;
  }

  /** The index of the first of `sources` another signal owns at `at`, else -1. */
  firstSuperseded(sources: readonly UsageSource[], at: number): number {
    return sources.findIndex((source) => this.superseded(source, at));
  }

  /** Records that this signal counted at `at`: it owns the key (new or handed over), or keeps it alive. */
  claim(source: UsageSource, at: number): void {
    const owner = this.owner(source.key);
    const same = owner?.name === source.name;
    const lastAt = same ? Math.max(owner.lastAt, at) : at;
    const storedAt = same ? owner.storedAt : undefined;
    if (same && storedAt !== undefined && lastAt - storedAt < STORE_EVERY_MS) {
      owner.lastAt = lastAt;
      return;
    }
    this.owners.set(source.key, { name: source.name, lastAt, storedAt: lastAt });
    this.sql.run(
      `INSERT INTO usage_sources (key, source, last_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET source = excluded.source, last_at = excluded.last_at`,
      source.key,
      source.name,
      lastAt,
    );
  }
}
