import type { Clock, Sql } from '../sql.js';

const MINUTE = 60_000;
/** A browser session lasts a week, then the user signs in again. */
export const SESSION_TTL_MS = 7 * 24 * 60 * MINUTE;
/** A one-time login link is meant to be clicked right after it is printed. */
export const LOGIN_LINK_TTL_MS = 10 * MINUTE;
/** Expired rows deleted per sign-in: bounded work, like the town's pruning. */
const PRUNE_BATCH = 100;
/**
 * Live sessions a user keeps; a sign-in past it ends their oldest. Without it a script holding a token
 * added 350 sessions a second, each kept a week.
 */
export const MAX_SESSIONS_PER_USER = 100;

export interface LoginLink {
  userId: string;
  /** Where the browser goes after signing in (a same-origin path checked by the API), if any. */
  nextPath: string | null;
}

/**
 * Browser sessions and one-time login links, in the control database (migration 2 of CONTROL_MIGRATIONS,
 * applied by `new Control`). The caller hashes the secrets (Web Crypto in the API), so a copy of the
 * database holds nothing that signs anyone in; the clock is passed in, so expiry is deterministic.
 */
export class Sessions {
  constructor(
    private readonly sql: Sql,
    private readonly clock: Clock,
  ) {}

  create(tokenHash: string, userId: string, ttlMs = SESSION_TTL_MS): { expiresAt: number } {
    const now = this.clock();
    const expiresAt = now + ttlMs;
    this.sql.transaction(() => {
      this.prune(now);
      this.sql.run(
        'INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
        tokenHash,
        userId,
        now,
        expiresAt,
      );
      this.sql.run(
        `DELETE FROM sessions WHERE user_id = ? AND rowid NOT IN
           (SELECT rowid FROM sessions WHERE user_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ${MAX_SESSIONS_PER_USER})`,
        userId,
        userId,
      );
    });
    return { expiresAt };
  }

  /** The user of an unexpired session; undefined for an unknown, expired or revoked one. */
  userId(tokenHash: string): string | undefined {
    const row = this.sql.rows('SELECT user_id FROM sessions WHERE token_hash = ? AND expires_at > ?', tokenHash, this.clock())[0];
    return row?.[0] as string | undefined;
  }

  revoke(tokenHash: string): void {
    this.sql.run('DELETE FROM sessions WHERE token_hash = ?', tokenHash);
  }

  createLoginLink(codeHash: string, userId: string, nextPath: string | null, ttlMs = LOGIN_LINK_TTL_MS): { expiresAt: number } {
    const now = this.clock();
    const expiresAt = now + ttlMs;
    this.sql.transaction(() => {
      this.prune(now);
      this.sql.run(
        'INSERT INTO login_links (code_hash, user_id, next_path, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
        codeHash,
        userId,
        nextPath,
        now,
        expiresAt,
      );
    });
    return { expiresAt };
  }

  /** Whether a link would still sign in, without using it up (the page a link opens asks before it posts). */
  peekLoginLink(codeHash: string): LoginLink | undefined {
    return this.readLink(codeHash, this.clock());
  }

  /** Uses a link up: the first call gets its user, every later one (and any after expiry) gets undefined. */
  consumeLoginLink(codeHash: string): LoginLink | undefined {
    return this.sql.transaction(() => {
      const link = this.readLink(codeHash, this.clock());
      this.sql.run('DELETE FROM login_links WHERE code_hash = ?', codeHash);
      return link;
    });
  }

  private readLink(codeHash: string, now: number): LoginLink | undefined {
    const row = this.sql.rows(
      'SELECT user_id, next_path FROM login_links WHERE code_hash = ? AND expires_at > ?',
      codeHash,
      now,
    )[0];
    return row ? { userId: row[0] as string, nextPath: row[1] as string | null } : undefined;
  }

  private prune(now: number): void {
    for (const table of ['sessions', 'login_links']) {
      this.sql.run(
        `DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE expires_at <= ? LIMIT ${PRUNE_BATCH})`,
        now,
      );
    }
  }
}
