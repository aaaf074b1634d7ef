import type { Migration } from '../migrate.js';

/** The control database: who exists, which towns exist, who owns them. One per deployment. */
export const CONTROL_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        is_admin INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE api_tokens (
        token_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id),
        label TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX api_tokens_user ON api_tokens (user_id);
      CREATE TABLE towns (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        owner_user_id TEXT NOT NULL REFERENCES users (id),
        created_at INTEGER NOT NULL
      );
      CREATE INDEX towns_owner ON towns (owner_user_id)
    `,
  },
  {
    // Browser sign-in (see control/sessions.ts): only hashes of session tokens and one-time link codes are stored.
    version: 2,
    sql: `
      CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX sessions_expiry ON sessions (expires_at);
      CREATE TABLE login_links (
        code_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id),
        next_path TEXT,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX login_links_expiry ON login_links (expires_at)
    `,
  },
];
