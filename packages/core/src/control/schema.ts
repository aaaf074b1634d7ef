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
];
