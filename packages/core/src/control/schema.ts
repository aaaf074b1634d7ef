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
  {
    // Issue 3: organisations and memberships; a town is owned by a user or by an organisation (exactly
    // one); one ledger per account (a user's or an organisation's id), alert settings and alerts.
    version: 3,
    sql: `
      CREATE TABLE organizations (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE memberships (
        org_id TEXT NOT NULL REFERENCES organizations (id),
        user_id TEXT NOT NULL REFERENCES users (id),
        role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'billing_manager')),
        created_at INTEGER NOT NULL,
        PRIMARY KEY (org_id, user_id)
      ) WITHOUT ROWID;
      CREATE INDEX memberships_user ON memberships (user_id);

      CREATE TABLE towns_v3 (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        owner_user_id TEXT REFERENCES users (id),
        owner_org_id TEXT REFERENCES organizations (id),
        created_at INTEGER NOT NULL,
        CHECK ((owner_user_id IS NULL) <> (owner_org_id IS NULL))
      );
      INSERT INTO towns_v3 (id, name, owner_user_id, created_at) SELECT id, name, owner_user_id, created_at FROM towns;
      DROP TABLE towns;
      ALTER TABLE towns_v3 RENAME TO towns;
      CREATE INDEX towns_owner_user ON towns (owner_user_id);
      CREATE INDEX towns_owner_org ON towns (owner_org_id);

      CREATE TABLE ledger (
        seq INTEGER PRIMARY KEY,
        account_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('grant', 'debit')),
        amount_microdollars INTEGER NOT NULL
          CHECK ((kind = 'grant' AND amount_microdollars > 0) OR (kind = 'debit' AND amount_microdollars < 0)),
        balance_after_microdollars INTEGER NOT NULL,
        idempotency_key TEXT UNIQUE,
        town_id TEXT,
        note TEXT
      );
      CREATE INDEX ledger_account_seq ON ledger (account_id, seq);
      -- What each town's hour of spend has been debited so far: a town posts the hour's running total,
      -- and only the increase is debited (exact, and safe against a town file restored from a backup).
      CREATE TABLE billed_hours (
        town_id TEXT NOT NULL,
        hour INTEGER NOT NULL,
        billed_microdollars INTEGER NOT NULL,
        PRIMARY KEY (town_id, hour)
      ) WITHOUT ROWID;
      CREATE INDEX ledger_account_debits ON ledger (account_id, at) WHERE kind = 'debit';

      CREATE TABLE account_settings (
        account_id TEXT PRIMARY KEY,
        low_balance_microdollars INTEGER NOT NULL,
        webhook_url TEXT,
        low_alerted INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID;

      CREATE TABLE alerts (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        account_id TEXT NOT NULL,
        town_id TEXT,
        kind TEXT NOT NULL,
        at INTEGER NOT NULL,
        body TEXT NOT NULL,
        delivery TEXT NOT NULL CHECK (delivery IN ('none', 'pending', 'delivered', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER,
        delivered_at INTEGER,
        last_error TEXT
      );
      CREATE INDEX alerts_account ON alerts (account_id, id);
      CREATE INDEX alerts_due ON alerts (next_attempt_at) WHERE delivery = 'pending'
    `,
  },
  {
    // Issue 13: long-lived per-town ingest keys (`ggi_…`) for OpenTelemetry exporters. Only the key's
    // SHA-256 is stored; revoking deletes the row. `last_used_at` is written at most once a minute.
    version: 4,
    sql: `
      CREATE TABLE ingest_keys (
        key_hash TEXT PRIMARY KEY,
        town_id TEXT NOT NULL REFERENCES towns (id),
        name TEXT NOT NULL,
        agent_id TEXT,
        created_at INTEGER NOT NULL,
        last_used_at INTEGER,
        UNIQUE (town_id, name)
      )
    `,
  },
  {
    // A key's kind: `ingest` (ggi_, writes) or `scrape` (ggs_, reads the town's Prometheus metrics only).
    version: 5,
    sql: `ALTER TABLE ingest_keys ADD COLUMN kind TEXT NOT NULL DEFAULT 'ingest'`,
  },
  {
    // Who created each organisation: the organisation quota counts these, never the ones a user was made
    // an owner of by someone else. An existing organisation's creator is its first member (the creator's
    // membership is inserted with it and never removed; a role change keeps its created_at).
    version: 6,
    sql: `
      ALTER TABLE organizations ADD COLUMN created_by TEXT REFERENCES users (id);
      UPDATE organizations SET created_by = (
        SELECT user_id FROM memberships WHERE org_id = organizations.id ORDER BY created_at, user_id LIMIT 1
      );
      CREATE INDEX organizations_created_by ON organizations (created_by)
    `,
  },
  {
    // Pending invitations (orgs.setMember of someone not yet a member): the invitee becomes a member
    // only by accepting, so the answer to an owner is the same whether the name is a user or not.
    version: 7,
    sql: `
      CREATE TABLE org_invitations (
        org_id TEXT NOT NULL REFERENCES organizations (id),
        user_id TEXT NOT NULL REFERENCES users (id),
        role TEXT NOT NULL,
        invited_by TEXT NOT NULL REFERENCES users (id),
        created_at INTEGER NOT NULL,
        PRIMARY KEY (org_id, user_id)
      );
      CREATE INDEX org_invitations_user ON org_invitations (user_id)
    `,
  },
  {
    // A member's user name beside the membership, indexed by organisation: orgs.members pages by name,
    // and a page of an organisation of thousands reads its rows from this index instead of joining and
    // sorting every member. User names never change, so the copy stays true.
    version: 8,
    sql: `
      ALTER TABLE memberships ADD COLUMN user_name TEXT NOT NULL DEFAULT '';
      UPDATE memberships SET user_name = (SELECT name FROM users WHERE id = memberships.user_id);
      CREATE INDEX memberships_org_name ON memberships (org_id, user_name)
    `,
  },
];
