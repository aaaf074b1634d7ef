import { AppError } from '../errors.js';
import { plural } from '../plural.js';
import type { Clock, Sql } from '../sql.js';
import { checkName } from './names.js';

/** Ingest keys one town may have: each is a credential to audit and revoke, so a town needs few. */
export const MAX_INGEST_KEYS_PER_TOWN = 100;
/** A key's `last_used_at` is rewritten at most this often, so ingest does not write the control store per request. */
export const KEY_TOUCH_INTERVAL_MS = 60_000;

/** `ingest` keys write (every ingest route, never a read); `scrape` keys read the town's Prometheus metrics, never write. */
export type KeyKind = 'ingest' | 'scrape';

export interface IngestKeyInfo {
  townId: string;
  name: string;
  kind: KeyKind;
  /** Set: the key writes only this agent's data, like an agent-scoped ingest JWT. */
  agentId: string | null;
  createdAt: number;
  lastUsedAt: number | null;
}

/**
 * Long-lived, revocable per-town ingest keys (migration 4 of CONTROL_MIGRATIONS). The caller makes the
 * key and hashes it (Web Crypto in the API), so the core stays deterministic and stores no secret.
 */
export class IngestKeys {
  constructor(
    private readonly sql: Sql,
    private readonly clock: Clock,
  ) {}

  /** Stores a key's hash under a name unique in its town, within MAX_INGEST_KEYS_PER_TOWN (both kinds count). */
  create(keyHash: string, townId: string, name: string, agentId: string | null, kind: KeyKind = 'ingest'): IngestKeyInfo {
    checkName(name, 'name');
    if (kind === 'scrape' && agentId !== null)
      throw new AppError('bad_request', 'a scrape key reads the whole town: it takes no agent', { path: 'agentId' });
    return this.sql.transaction(() => {
      const count = Number(this.sql.rows('SELECT COUNT(*) FROM ingest_keys WHERE town_id = ?', townId)[0]?.[0] ?? 0);
      if (count >= MAX_INGEST_KEYS_PER_TOWN) {
        throw new AppError(
          'forbidden',
          `ingest key limit reached: this town has ${plural(count, 'key')} and the limit is ${MAX_INGEST_KEYS_PER_TOWN}; revoke one first`,
          { path: 'name' },
        );
      }
      if (this.sql.rows('SELECT 1 FROM ingest_keys WHERE town_id = ? AND name = ?', townId, name).length > 0) {
        throw new AppError('conflict', `this town already has a key named "${name}"`, { path: 'name' });
      }
      const createdAt = this.clock();
      this.sql.run(
        'INSERT INTO ingest_keys (key_hash, town_id, name, kind, agent_id, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        keyHash,
        townId,
        name,
        kind,
        agentId,
        createdAt,
      );
      return { townId, name, kind, agentId, createdAt, lastUsedAt: null };
    });
  }

  list(townId: string): IngestKeyInfo[] {
    return this.sql.all<KeyRow>('SELECT * FROM ingest_keys WHERE town_id = ? ORDER BY created_at, name', townId).map(toInfo);
  }

  /** Deletes the key: the next request made with it gets a 401. */
  revoke(townId: string, name: string): void {
    const changes = this.sql.run('DELETE FROM ingest_keys WHERE town_id = ? AND name = ?', townId, name);
    if (changes === 0) throw new AppError('not_found', `this town has no key named "${name}"`, { path: 'name' });
  }

  byHash(keyHash: string): IngestKeyInfo | undefined {
    return this.sql.all<KeyRow>('SELECT * FROM ingest_keys WHERE key_hash = ?', keyHash).map(toInfo)[0];
  }

  /** Records a use; a no-op within KEY_TOUCH_INTERVAL_MS of the last recorded one. */
  touch(keyHash: string, now: number): void {
    this.sql.run(
      'UPDATE ingest_keys SET last_used_at = ? WHERE key_hash = ? AND (last_used_at IS NULL OR last_used_at <= ?)',
      now,
      keyHash,
      now - KEY_TOUCH_INTERVAL_MS,
    );
  }
}

interface KeyRow {
  key_hash: string;
  town_id: string;
  name: string;
  kind: KeyKind;
  agent_id: string | null;
  created_at: number;
  last_used_at: number | null;
}
const toInfo = (r: KeyRow): IngestKeyInfo => ({
  townId: r.town_id,
  name: r.name,
  kind: r.kind,
  agentId: r.agent_id,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
});
