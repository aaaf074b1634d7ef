/**
 * The reporter's one state database. Records waiting for an acknowledgement and the tailers' cursors
 * live in the same file, so a tailer commits "these lines were read" and "these records are owed" in
 * one transaction: a crash loses neither and repeats neither.
 */
export const SCHEMA_VERSION = 3;

export const SCHEMA = `
-- Rows keyed by seq, the order they were queued in, so a backfill's inserts append at the table's end and
-- acknowledgements delete from its start; only the small (kind, id) index takes random inserts.
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  body TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  enqueued_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS outbox_by_id ON outbox (kind, id);
CREATE INDEX IF NOT EXISTS outbox_by_kind ON outbox (kind);

-- mark: the length and MD5 of the line before offset (of its last MARK_SPAN bytes, tail/jsonl.ts), or NULL. A file
-- truncated in place (or deleted and written again on the same inode) and then written past offset looks grown; bytes
-- before offset that are no longer the mark tell it was rewritten, and it is read again from its start.
-- stamp: the file's mtime and ctime when the cursor was saved (stampOf, tail/jsonl.ts), or NULL: a file at the offset's
-- size with another stamp may have been rewritten to the same size, and is looked at again.
CREATE TABLE IF NOT EXISTS cursors (
  source TEXT NOT NULL,
  path TEXT NOT NULL,
  ino INTEGER NOT NULL,
  offset INTEGER NOT NULL,
  mark BLOB,
  stamp TEXT,
  PRIMARY KEY (source, path)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;

-- No index of its own on group_id: every lookup also knows the message id (a group's keys share it).
CREATE TABLE IF NOT EXISTS claude_groups (
  group_id TEXT NOT NULL,
  msg_id TEXT NOT NULL,
  sidechain INTEGER NOT NULL,
  total INTEGER NOT NULL,
  speed_set INTEGER NOT NULL,
  seen_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS claude_groups_by_msg ON claude_groups (msg_id);

CREATE TABLE IF NOT EXISTS claude_keys (
  msg_id TEXT NOT NULL,
  req_id TEXT NOT NULL,
  group_id TEXT NOT NULL,
  PRIMARY KEY (msg_id, req_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS opencode_steps (
  part_id TEXT PRIMARY KEY,
  message_id TEXT NOT NULL,
  input INTEGER NOT NULL,
  output INTEGER NOT NULL,
  reasoning INTEGER NOT NULL,
  cache_read INTEGER NOT NULL,
  cache_write INTEGER NOT NULL,
  cost INTEGER NOT NULL,
  seen_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS opencode_steps_by_message ON opencode_steps (message_id);

-- The agent each OpenCode message's first record named (StepLedger.firstAgent).
CREATE TABLE IF NOT EXISTS opencode_agents (
  message_id TEXT PRIMARY KEY,
  agent_id TEXT NOT NULL,
  seen_at INTEGER NOT NULL
);

-- The totals each OpenCode message's last record was enqueued with (OpencodeUsage's key) and its agent: a store's rows and
-- older files are read again by each new process (its re-read window, the files' signatures kept in memory only), and a
-- message unchanged since is not sent again. Added without a version bump: every open creates it if missing, and an older
-- reporter leaves it alone (a message that one sends again is then sent once more by a newer one: the server keeps the larger).
CREATE TABLE IF NOT EXISTS opencode_sent (
  message_id TEXT PRIMARY KEY,
  totals TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  seen_at INTEGER NOT NULL
);

-- How many times each distinct line (by digest) occurred in a tailed file up to its cursor: identical
-- lines get ids numbered by occurrence. Cleared when the file is read again from its start.
CREATE TABLE IF NOT EXISTS gastown_lines (
  path TEXT NOT NULL,
  digest TEXT NOT NULL,
  seen INTEGER NOT NULL,
  PRIMARY KEY (path, digest)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS gastown_branches (
  branch TEXT PRIMARY KEY,
  bead_id TEXT NOT NULL,
  seen_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Where reading each Codex rollout file left off (cumulative totals, model, cwd, replay state, as JSON):
-- saved with the file's cursor, so a restart resumes mid-file exactly. Cleared when the file is read
-- again from its start.
CREATE TABLE IF NOT EXISTS codex_files (
  path TEXT PRIMARY KEY,
  state TEXT NOT NULL
) WITHOUT ROWID;

-- Where reading each Gemini CLI .jsonl chat left off (session, model, names of responses without an id so far, as
-- JSON): saved with the file's cursor, so a restart resumes mid-file exactly.
CREATE TABLE IF NOT EXISTS gemini_files (
  path TEXT PRIMARY KEY,
  state TEXT NOT NULL
) WITHOUT ROWID;
`;

/**
 * Version 0 to 1: the outbox was a WITHOUT ROWID table keyed by (kind, id) and claude_groups had a primary key
 * on group_id; every insert then landed at a random place in a large b-tree, and each commit wrote most of
 * its pages to the WAL again (~0.5 GB of writes for a 300 MB backfill). Rows are copied in their order.
 */
export const MIGRATE_0_TO_1 = `
CREATE TABLE outbox_v1 (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL,
  bytes INTEGER NOT NULL, enqueued_at INTEGER NOT NULL);
INSERT INTO outbox_v1 (seq, kind, id, body, bytes, enqueued_at) SELECT seq, kind, id, body, bytes, enqueued_at FROM outbox ORDER BY seq;
DROP TABLE outbox;
ALTER TABLE outbox_v1 RENAME TO outbox;
CREATE TABLE claude_groups_v1 (group_id TEXT NOT NULL, msg_id TEXT NOT NULL, sidechain INTEGER NOT NULL,
  total INTEGER NOT NULL, speed_set INTEGER NOT NULL, seen_at INTEGER NOT NULL);
INSERT INTO claude_groups_v1 SELECT group_id, msg_id, sidechain, total, speed_set, seen_at FROM claude_groups ORDER BY rowid;
DROP TABLE claude_groups;
ALTER TABLE claude_groups_v1 RENAME TO claude_groups;
`;

/** Version 1 to 2: cursors keep a mark (see the cursors table). Cursors saved before have none and are not checked. */
export const MIGRATE_1_TO_2 = 'ALTER TABLE cursors ADD COLUMN mark BLOB;';

/** Version 2 to 3: cursors keep the file's stamp (see the cursors table). Cursors saved before have none and are trusted. */
export const MIGRATE_2_TO_3 = 'ALTER TABLE cursors ADD COLUMN stamp TEXT;';
