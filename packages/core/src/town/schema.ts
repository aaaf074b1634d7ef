import type { Migration } from '../migrate.js';
import { COUNTERS, GAUGES } from './series.js';

/*
 * Migrations are frozen: each names its tables as of its version. The series lists of series.ts may
 * only grow, through a new migration that adds the column to every tier table.
 */
const V1_TIER_TABLES = ['snapshots', 'rollup_1m', 'rollup_1h'];
const V2_BREAKDOWN_TABLES = ['breakdown_1m', 'breakdown_1h'];
/** The tier tables and their resolutions as of version 3 (migration 17 moves counters in them). */
const V3_TIERS: [string, number][] = [
  ['snapshots', 5_000],
  ['rollup_1m', 60_000],
  ['rollup_10m', 600_000],
  ['rollup_1h', 3_600_000],
];
/** Migration 17: a column of the bead's newest stored status event (at, then id), for `beads.id`. */
const M17_NEWEST = (column: string) =>
  `(SELECT e.${column} FROM events e INDEXED BY events_bead WHERE e.type = 'bead' AND e.bead_id = beads.id ORDER BY e.at DESC, e.id DESC LIMIT 1)`;
const M17_FIRST_CLOSE = `(SELECT MIN(c.at) FROM events c INDEXED BY events_bead WHERE c.type = 'bead' AND c.bead_id = beads.id AND c.status = 'closed')`;
/** Rowids of usage records migration 12 applies to the per-bead totals itself, at most (the tick does the rest). */
export const MIGRATION_12_FILL_ROWIDS = 500_000;

/** Columns shared by every tier: `samples` gauge samples, each gauge's sum and max, and counters. */
function tierTable(table: string): string {
  const gauges = GAUGES.map((g) => `${g} INTEGER NOT NULL DEFAULT 0, ${g}_max INTEGER NOT NULL DEFAULT 0`);
  const counters = COUNTERS.map((c) => `${c} INTEGER NOT NULL DEFAULT 0`);
  return `CREATE TABLE ${table} (
    t INTEGER PRIMARY KEY,
    samples INTEGER NOT NULL DEFAULT 0,
    ${[...gauges, ...counters].join(',\n    ')}
  )`;
}

export const TOWN_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE town_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        last_ingest_at INTEGER,
        last_tick_at INTEGER
      );
      INSERT INTO town_state (id) VALUES (1);

      CREATE TABLE usage_records (
        id TEXT PRIMARY KEY,
        mode TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        model TEXT NOT NULL,
        provider TEXT,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        reasoning_tokens INTEGER NOT NULL,
        cache_read_tokens INTEGER NOT NULL,
        cache_write_tokens INTEGER NOT NULL,
        cost_microdollars INTEGER NOT NULL,
        first_at INTEGER NOT NULL,
        last_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX usage_records_last_at ON usage_records (last_at);

      CREATE TABLE agents (
        id TEXT PRIMARY KEY,
        role TEXT,
        status TEXT NOT NULL,
        bead_id TEXT,
        status_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE beads (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        kind TEXT,
        title TEXT,
        assignee_agent_id TEXT,
        status_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        closed_at INTEGER
      ) WITHOUT ROWID;
      CREATE INDEX beads_status ON beads (status);

      CREATE TABLE events (
        id TEXT PRIMARY KEY,
        at INTEGER NOT NULL,
        type TEXT NOT NULL,
        agent_id TEXT,
        bead_id TEXT,
        status TEXT,
        body TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX events_at ON events (at);

      CREATE TABLE loc (
        agent_id TEXT PRIMARY KEY,
        additions INTEGER NOT NULL,
        deletions INTEGER NOT NULL,
        files INTEGER,
        reported_at INTEGER NOT NULL,
        ttl_ms INTEGER NOT NULL
      ) WITHOUT ROWID;

      ${V1_TIER_TABLES.map(tierTable).join(';\n')}
    `,
  },
  {
    version: 2,
    sql: V2_BREAKDOWN_TABLES.map(breakdownTable).join(';\n'),
  },
  {
    // A 10-minute tier, so a week at 500 points (30 min buckets) reads 1,008 rows instead of 10,080.
    // Filled from the 1-minute tier, which holds the same sums exactly.
    version: 3,
    sql: `
      ${tierTable('rollup_10m')};
      ${breakdownTable('breakdown_10m')};
      INSERT INTO rollup_10m (t, samples, ${GAUGES.flatMap((g) => [g, `${g}_max`]).join(', ')}, ${COUNTERS.join(', ')})
        SELECT (t / 600000) * 600000, SUM(samples), ${GAUGES.flatMap((g) => [`SUM(${g})`, `MAX(${g}_max)`]).join(', ')},
          ${COUNTERS.map((c) => `SUM(${c})`).join(', ')}
        FROM rollup_1m GROUP BY 1;
      INSERT INTO breakdown_10m (t, agent_id, model, tokens, cost_microdollars)
        SELECT (t / 600000) * 600000, agent_id, model, SUM(tokens), SUM(cost_microdollars)
        FROM breakdown_1m GROUP BY 1, 2, 3
    `,
  },
  {
    // Usage records become an append-only rowid table (arrival order) and their ids move to a separate
    // index, `usage_ids`, that the tick fills in bulk, sorted, for the records that arrived since the
    // last tick (the Town keeps those few in memory). Inserting each new id into an id-keyed B-tree at
    // ingest dirtied about one random page per record, and that WAL traffic bounded ingest.
    version: 4,
    sql: `
      CREATE TABLE usage_records_v4 (
        id TEXT NOT NULL,
        mode TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        model TEXT NOT NULL,
        provider TEXT,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        reasoning_tokens INTEGER NOT NULL,
        cache_read_tokens INTEGER NOT NULL,
        cache_write_tokens INTEGER NOT NULL,
        cost_microdollars INTEGER NOT NULL,
        first_at INTEGER NOT NULL,
        last_at INTEGER NOT NULL
      );
      INSERT INTO usage_records_v4 SELECT id, mode, agent_id, model, provider, input_tokens, output_tokens, reasoning_tokens,
        cache_read_tokens, cache_write_tokens, cost_microdollars, first_at, last_at FROM usage_records ORDER BY first_at;
      DROP TABLE usage_records;
      ALTER TABLE usage_records_v4 RENAME TO usage_records;
      CREATE TABLE usage_ids (id TEXT PRIMARY KEY, rec INTEGER NOT NULL) WITHOUT ROWID;
      INSERT INTO usage_ids (id, rec) SELECT id, rowid FROM usage_records ORDER BY id;
      ALTER TABLE town_state ADD COLUMN usage_indexed_upto INTEGER NOT NULL DEFAULT 0;
      UPDATE town_state SET usage_indexed_upto = (SELECT COALESCE(MAX(rowid), 0) FROM usage_records);
      ALTER TABLE town_state ADD COLUMN usage_prune_cursor INTEGER NOT NULL DEFAULT 0
    `,
  },
  {
    // Issue 3, the town's side of the gas tank. Ingest marks the earliest event time of cost it added
    // (`unbilled_from`, in the same transaction); the tick closes what each 1-hour slot from there holds
    // beyond what was billed (`billed_1h`) into outbox debits, and the host posts outbox entries to the
    // owning account's ledger with the key (town, seq), then deletes them. Cost stored before this
    // version is history, not billed. The budget row keeps the cap and the thresholds crossed this period.
    version: 5,
    sql: `
      ALTER TABLE town_state ADD COLUMN unbilled_from INTEGER;
      ALTER TABLE town_state ADD COLUMN billed_at INTEGER;
      ALTER TABLE town_state ADD COLUMN outbox_seq INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE billed_1h (t INTEGER PRIMARY KEY, billed_microdollars INTEGER NOT NULL);
      INSERT INTO billed_1h (t, billed_microdollars) SELECT t, cost_microdollars FROM rollup_1h WHERE cost_microdollars > 0;
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('debit', 'budget')),
        at INTEGER NOT NULL,
        amount_microdollars INTEGER NOT NULL DEFAULT 0,
        details TEXT
      );
      CREATE TABLE budget (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        period TEXT NOT NULL,
        cap_microdollars INTEGER NOT NULL,
        tz TEXT NOT NULL,
        period_start INTEGER NOT NULL,
        level INTEGER NOT NULL
      )
    `,
  },
  {
    // Usage per agent and model since the town began, for Prometheus counters: added to at ingest in the same
    // transaction as the tiers, never pruned (so a counter never goes down), a row per pair (a scrape reads
    // few rows, where summing usage_records read every record). Filled from the records stored so far.
    version: 6,
    sql: `
      CREATE TABLE usage_totals (
        agent_id TEXT NOT NULL,
        model TEXT NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        reasoning_tokens INTEGER NOT NULL,
        cache_read_tokens INTEGER NOT NULL,
        cache_write_tokens INTEGER NOT NULL,
        cost_microdollars INTEGER NOT NULL,
        PRIMARY KEY (agent_id, model)
      ) WITHOUT ROWID;
      INSERT INTO usage_totals SELECT agent_id, model, SUM(input_tokens), SUM(output_tokens), SUM(reasoning_tokens),
        SUM(cache_read_tokens), SUM(cache_write_tokens), SUM(cost_microdollars)
        FROM usage_records GROUP BY agent_id, model
    `,
  },
  {
    // Which telemetry signal counts a session's spend (OTLP metrics or logs describe the same spend): the
    // first to arrive claims the session, in the transaction that counts it (usage-sources.ts).
    version: 7,
    sql: `
      CREATE TABLE usage_sources (
        key TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        last_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX usage_sources_last_at ON usage_sources (last_at)
    `,
  },
  {
    // Activity besides spend (OTLP: lines changed, commits, pull requests, sessions, active time), counted
    // exactly once like usage (activity.ts): the records are dedupe state, the totals never pruned.
    version: 8,
    sql: `
      CREATE TABLE activity_records (
        id TEXT PRIMARY KEY,
        mode TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        value INTEGER NOT NULL,
        last_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX activity_records_last_at ON activity_records (last_at);
      CREATE TABLE activity_totals (
        kind TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      ) WITHOUT ROWID
    `,
  },
  {
    // Issue 12, cost per bead. Attribution is done at read time from intervals (ARCHITECTURE.md):
    // - a usage record may name its bead (`bead_id`), and is dated by its earliest event time (`first_at`);
    // - `agent_beads` holds, per agent, every agent event that names a bead or clears it (idle, dead):
    //   the bead an agent worked on at time t is that of its latest row at or before t;
    // - `usage_times` finds an agent's records between two of its rows: (agent, first_at, rowid), filled by
    //   the tick with the usage ids (sorted, in bulk), never at ingest: an index on usage_records itself
    //   cost ingest ~10 µs a record (random B-tree inserts, as migration 4 found for ids).
    // Beads gain a parent (convoys, epics) and the lines the working agent had when the bead went to review;
    // lines of code remember when they last changed (the no-progress rule); runaway rules and their
    // episodes; and the outbox carries runaway alerts.
    version: 9,
    sql: `
      ALTER TABLE usage_records ADD COLUMN bead_id TEXT;
      CREATE TABLE usage_times (
        agent_id TEXT NOT NULL,
        first_at INTEGER NOT NULL,
        rec INTEGER NOT NULL,
        PRIMARY KEY (agent_id, first_at, rec)
      ) WITHOUT ROWID;
      INSERT INTO usage_times (agent_id, first_at, rec)
        SELECT agent_id, first_at, rowid FROM usage_records
        WHERE rowid <= (SELECT usage_indexed_upto FROM town_state WHERE id = 1) ORDER BY agent_id, first_at;
      CREATE INDEX usage_records_bead ON usage_records (bead_id, first_at) WHERE bead_id IS NOT NULL;
      CREATE TABLE agent_beads (
        agent_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        event_id TEXT NOT NULL,
        bead_id TEXT,
        PRIMARY KEY (agent_id, at, event_id)
      ) WITHOUT ROWID;
      CREATE INDEX agent_beads_bead ON agent_beads (bead_id) WHERE bead_id IS NOT NULL;
      INSERT INTO agent_beads (agent_id, at, event_id, bead_id)
        SELECT agent_id, at, id, bead_id FROM events
        WHERE type = 'agent' AND (bead_id IS NOT NULL OR status IN ('idle', 'dead'));
      CREATE INDEX events_bead ON events (bead_id, at) WHERE type = 'bead';
      ALTER TABLE beads ADD COLUMN parent_id TEXT;
      ALTER TABLE beads ADD COLUMN loc_at_review INTEGER;
      CREATE INDEX beads_parent ON beads (parent_id) WHERE parent_id IS NOT NULL;
      ALTER TABLE loc ADD COLUMN changed_at INTEGER;
      UPDATE loc SET changed_at = reported_at;
      CREATE TABLE runaway_rules (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL);
      CREATE TABLE runaway_episodes (
        rule TEXT NOT NULL,
        subject TEXT NOT NULL,
        since INTEGER NOT NULL,
        level INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (rule, subject)
      ) WITHOUT ROWID;
      CREATE TABLE outbox_v9 (
        seq INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('debit', 'budget', 'runaway')),
        at INTEGER NOT NULL,
        amount_microdollars INTEGER NOT NULL DEFAULT 0,
        details TEXT
      );
      INSERT INTO outbox_v9 SELECT seq, kind, at, amount_microdollars, details FROM outbox;
      DROP TABLE outbox;
      ALTER TABLE outbox_v9 RENAME TO outbox
    `,
  },
  {
    // The bead budget rule re-checks only beads whose cost may have changed (runaway.ts): a FIFO queue
    // filled by ingest (late agent events) and by the tick from usage records past its mark.
    version: 10,
    sql: `
      CREATE TABLE bead_budget_pending (seq INTEGER PRIMARY KEY, bead_id TEXT NOT NULL UNIQUE);
      ALTER TABLE town_state ADD COLUMN bead_budget_upto INTEGER NOT NULL DEFAULT 0;
      UPDATE town_state SET bead_budget_upto = (SELECT COALESCE(MAX(rowid), 0) FROM usage_records);
      INSERT OR IGNORE INTO bead_budget_pending (bead_id)
        SELECT subject FROM runaway_episodes WHERE rule = 'beadBudget'
        UNION SELECT bead_id FROM agents WHERE bead_id IS NOT NULL
    `,
  },
  {
    // How the host's ticks of this town have gone (a TickHealth as JSON), kept across restarts; see
    // saveTickHealth for when it is written.
    version: 11,
    sql: `ALTER TABLE town_state ADD COLUMN tick_health TEXT`,
  },
  {
    // Per-bead totals kept by the tick (beads/totals.ts), so bead reads cost the beads asked, not history:
    // - `bead_applied` is what each record last contributed (its bead, '' for none; its first_at; amounts);
    // - `bead_hours` sums it per (hour of first_at, bead, agent), with how many records are in the sum, and
    //   `bead_totals` per bead over all time;
    // - `bead_dirty` (records updated or re-dated since) and `bead_moves` (an agent's records in [from_at,
    //   to_at) a new or pruned agent_beads row may re-attribute, read from the (from_at, from_rec) cursor)
    //   are what the tick re-applies next; reads add that remainder exactly;
    // - `agent_minutes` is each agent's cost per minute of first_at, and `runaway_window` each agent's sum
    //   over a rule's window (`runaway_window_spans`: its length and last minute), slid by the tick.
    // Filled here from at most MIGRATION_12_FILL_ROWIDS rowids of the records the tick has indexed so far
    // (the oldest); the rest the tick applies, MAX_BEAD_RECORDS_APPLIED_PER_TICK at a time, and reads add
    // them until then. Filling every record here cost the town's first open after the upgrade ~2.5 µs a
    // record (2,000,000: 4.9 s on Node), and a Durable Object past its CPU limit would never open.
    version: 12,
    sql: `
      CREATE TABLE bead_applied (
        rec INTEGER PRIMARY KEY,
        bead TEXT NOT NULL,
        at INTEGER NOT NULL,
        agent_id TEXT NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        reasoning_tokens INTEGER NOT NULL,
        cache_read_tokens INTEGER NOT NULL,
        cache_write_tokens INTEGER NOT NULL,
        cost_microdollars INTEGER NOT NULL
      );
      CREATE TABLE bead_hours (
        hour INTEGER NOT NULL,
        bead TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        records INTEGER NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        reasoning_tokens INTEGER NOT NULL,
        cache_read_tokens INTEGER NOT NULL,
        cache_write_tokens INTEGER NOT NULL,
        cost_microdollars INTEGER NOT NULL,
        PRIMARY KEY (hour, bead, agent_id)
      ) WITHOUT ROWID;
      CREATE INDEX bead_hours_bead ON bead_hours (bead, hour);
      CREATE TABLE bead_totals (
        bead TEXT PRIMARY KEY,
        records INTEGER NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        reasoning_tokens INTEGER NOT NULL,
        cache_read_tokens INTEGER NOT NULL,
        cache_write_tokens INTEGER NOT NULL,
        cost_microdollars INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE bead_dirty (rec INTEGER PRIMARY KEY);
      CREATE TABLE bead_moves (
        seq INTEGER PRIMARY KEY,
        agent_id TEXT NOT NULL,
        from_at INTEGER NOT NULL,
        from_rec INTEGER NOT NULL DEFAULT 0,
        to_at INTEGER NOT NULL
      );
      CREATE INDEX bead_moves_agent ON bead_moves (agent_id, to_at);
      CREATE TABLE agent_minutes (
        agent_id TEXT NOT NULL,
        minute INTEGER NOT NULL,
        cost_microdollars INTEGER NOT NULL,
        PRIMARY KEY (minute, agent_id)
      ) WITHOUT ROWID;
      CREATE TABLE runaway_window_spans (rule TEXT PRIMARY KEY, minutes INTEGER NOT NULL, end_minute INTEGER NOT NULL);
      CREATE TABLE runaway_window (
        rule TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        cost_microdollars INTEGER NOT NULL,
        PRIMARY KEY (rule, agent_id)
      ) WITHOUT ROWID;
      CREATE INDEX runaway_window_cost ON runaway_window (rule, cost_microdollars);
      ALTER TABLE town_state ADD COLUMN bead_applied_upto INTEGER NOT NULL DEFAULT 0;
      UPDATE town_state SET bead_applied_upto = MIN(usage_indexed_upto,
        (SELECT COALESCE(MIN(rowid), 1) - 1 FROM usage_records) + ${MIGRATION_12_FILL_ROWIDS});
      INSERT INTO bead_applied
        SELECT u.rowid, COALESCE(u.bead_id, (SELECT ab.bead_id FROM agent_beads ab
            WHERE ab.agent_id = u.agent_id AND ab.at <= u.first_at ORDER BY ab.at DESC, ab.event_id DESC LIMIT 1), ''),
          u.first_at, u.agent_id, u.input_tokens, u.output_tokens, u.reasoning_tokens, u.cache_read_tokens,
          u.cache_write_tokens, u.cost_microdollars
        FROM usage_records u WHERE u.rowid <= (SELECT bead_applied_upto FROM town_state WHERE id = 1);
      INSERT INTO bead_hours
        SELECT at / 3600000, bead, agent_id, COUNT(*), SUM(input_tokens), SUM(output_tokens), SUM(reasoning_tokens),
          SUM(cache_read_tokens), SUM(cache_write_tokens), SUM(cost_microdollars)
        FROM bead_applied GROUP BY 1, 2, 3;
      INSERT INTO bead_totals
        SELECT bead, SUM(records), SUM(input_tokens), SUM(output_tokens), SUM(reasoning_tokens), SUM(cache_read_tokens),
          SUM(cache_write_tokens), SUM(cost_microdollars)
        FROM bead_hours GROUP BY bead;
      INSERT INTO agent_minutes
        SELECT agent_id, at / 60000, SUM(cost_microdollars) FROM bead_applied
        WHERE at >= (SELECT MAX(at) FROM bead_applied) - 86400000 GROUP BY 1, 2
    `,
  },
  {
    // A scrape reads the largest agent × model pairs and the sum of all: an index in the scrape's order and a
    // running grand total (with the number of pairs), so neither sorts nor sums every pair (100,000 pairs
    // blocked the server 165 ms a scrape). Kept by UsageTotalCounters in the ingest's transaction.
    version: 13,
    sql: `
      CREATE INDEX usage_totals_by_size ON usage_totals (
        (input_tokens + output_tokens + reasoning_tokens + cache_read_tokens + cache_write_tokens) DESC,
        cost_microdollars DESC, agent_id, model);
      CREATE TABLE usage_grand_total (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        pairs INTEGER NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        reasoning_tokens INTEGER NOT NULL,
        cache_read_tokens INTEGER NOT NULL,
        cache_write_tokens INTEGER NOT NULL,
        cost_microdollars INTEGER NOT NULL
      );
      INSERT INTO usage_grand_total SELECT 1, COUNT(*), COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0),
        COALESCE(SUM(reasoning_tokens), 0), COALESCE(SUM(cache_read_tokens), 0), COALESCE(SUM(cache_write_tokens), 0),
        COALESCE(SUM(cost_microdollars), 0)
        FROM usage_totals
    `,
  },
  {
    // An all-time beads.list page by cost or tokens walks bead_totals in its sort order instead of keying
    // and sorting every bead (100,000 beads: 1.3–2 s a page). Kept by the tick's upserts of bead_totals.
    version: 14,
    sql: `
      CREATE INDEX bead_totals_cost ON bead_totals (cost_microdollars DESC, bead);
      CREATE INDEX bead_totals_tokens ON bead_totals (
        (input_tokens + output_tokens + reasoning_tokens + cache_read_tokens + cache_write_tokens) DESC, bead)
    `,
  },
  {
    // Released for a while as an index of breakdown_1h by (agent_id, t), then withdrawn (it cost ingest more than
    // it saved the breakdown). Towns opened by that version recorded 15 and have the index; the number stays
    // taken, so that a later step is never skipped by them, nor they refused as written by a newer version.
    version: 15,
    sql: '',
  },
  {
    // The withdrawn step 15's index, where a town has it: it only slowed ingest.
    version: 16,
    sql: 'DROP INDEX IF EXISTS breakdown_1h_agent_id',
  },
  {
    // A bead's status and close follow its events by event time (events.ts, applyBead): closed while its newest
    // status event (by at, then event id) is a close, from the first close after its newest other event. Before,
    // closed_at was the earliest close ever, so a bead reopened kept it (and counted closed), and a tie at the
    // same millisecond went to whichever event arrived last. Each bead with stored events is settled again from
    // them (a bead whose events all are closes keeps an earlier closed_at: its first close may have been pruned),
    // and the beads_closed counter of every tier moves with each closed_at changed: out of the old time's row
    // where that row is still kept, into the new one's. And the bead an agent holds is its newest agent_beads
    // row's (an event arriving late, older than the agent's status, was not applied even when no newer event
    // named or cleared a bead), where that row is the only one of its time (a tie went to the last arrival,
    // which is not known here). Re-runnable: a second run changes nothing.
    version: 17,
    sql: `
      CREATE TABLE m17_beads AS SELECT id,
        ${M17_NEWEST('status')} AS status,
        ${M17_NEWEST('at')} AS status_at,
        beads.closed_at AS old_closed_at,
        CASE WHEN ${M17_NEWEST('status')} = 'closed' THEN COALESCE(
          (SELECT MIN(c.at) FROM events c INDEXED BY events_bead
            WHERE c.type = 'bead' AND c.bead_id = beads.id AND c.status = 'closed'
              AND (c.at, c.id) > (SELECT o.at, o.id FROM events o INDEXED BY events_bead
                WHERE o.type = 'bead' AND o.bead_id = beads.id AND o.status <> 'closed' ORDER BY o.at DESC, o.id DESC LIMIT 1)),
          min(COALESCE(beads.closed_at, ${M17_FIRST_CLOSE}), ${M17_FIRST_CLOSE})) END AS closed_at
        FROM beads WHERE EXISTS (SELECT 1 FROM events e INDEXED BY events_bead WHERE e.type = 'bead' AND e.bead_id = beads.id);
      UPDATE beads SET
        status = (SELECT m.status FROM m17_beads m WHERE m.id = beads.id),
        status_at = (SELECT m.status_at FROM m17_beads m WHERE m.id = beads.id),
        closed_at = (SELECT m.closed_at FROM m17_beads m WHERE m.id = beads.id)
        WHERE id IN (SELECT id FROM m17_beads);
      DELETE FROM m17_beads WHERE old_closed_at IS closed_at;
      ${V3_TIERS.map(
        ([table, ms]) => `
      UPDATE ${table} SET beads_closed = beads_closed -
        (SELECT COUNT(*) FROM m17_beads WHERE old_closed_at / ${ms} * ${ms} = ${table}.t)
        WHERE t IN (SELECT old_closed_at / ${ms} * ${ms} FROM m17_beads WHERE old_closed_at IS NOT NULL);
      INSERT INTO ${table} (t, beads_closed) SELECT closed_at / ${ms} * ${ms}, COUNT(*) FROM m17_beads
        WHERE closed_at IS NOT NULL GROUP BY 1
        ON CONFLICT (t) DO UPDATE SET beads_closed = beads_closed + excluded.beads_closed`,
      ).join(';')};
      DROP TABLE m17_beads;
      UPDATE agents SET bead_id = (SELECT ab.bead_id FROM agent_beads ab WHERE ab.agent_id = agents.id
        ORDER BY ab.at DESC LIMIT 1)
        WHERE (SELECT COUNT(*) FROM agent_beads ab WHERE ab.agent_id = agents.id
          AND ab.at = (SELECT MAX(m.at) FROM agent_beads m WHERE m.agent_id = agents.id)) = 1
    `,
  },
  {
    // The time pruning goes by (tick.ts, pruneClock): it moves forward at most an hour a tick, so a wall clock
    // set a year ahead and corrected does not delete every record, dedupe key and billed hour meanwhile.
    // Re-runnable: a second run changes nothing.
    version: 18,
    sql: 'CREATE TABLE IF NOT EXISTS prune_clock (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL)',
  },
  {
    // An agent's row follows its events by event time (events.ts, applyAgent), as a bead's does: status from its
    // newest event by (at, then event id), kept as status_event_id; role from its newest event that gives one
    // (role_at, role_event_id); the bead it holds from its newest agent_beads row by (at, event_id). Before, a tie
    // at one millisecond went to whichever event arrived last, and a role given only by an event arriving late was
    // lost. The table is rebuilt with those columns and each agent settled from its stored events (one pass of
    // window functions over them); one whose events were all pruned keeps its status and role, with NULL event
    // columns (any later event is newer). Re-runnable: a second run changes nothing.
    version: 19,
    sql: `
      CREATE TABLE m19_status AS SELECT agent_id, at, id, status FROM (SELECT agent_id, at, id, status,
        row_number() OVER (PARTITION BY agent_id ORDER BY at DESC, id DESC) AS n FROM events WHERE type = 'agent') WHERE n = 1;
      CREATE TABLE m19_role AS SELECT agent_id, at, id, role FROM (SELECT agent_id, at, id, json_extract(body, '$.role') AS role,
        row_number() OVER (PARTITION BY agent_id ORDER BY at DESC, id DESC) AS n FROM events
        WHERE type = 'agent' AND json_extract(body, '$.role') IS NOT NULL) WHERE n = 1;
      CREATE TABLE m19_agents (
        id TEXT PRIMARY KEY,
        role TEXT,
        status TEXT NOT NULL,
        bead_id TEXT,
        status_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        status_event_id TEXT,
        role_at INTEGER,
        role_event_id TEXT
      ) WITHOUT ROWID;
      INSERT INTO m19_agents (id, role, status, bead_id, status_at, last_seen_at, status_event_id, role_at, role_event_id)
        SELECT a.id, COALESCE(r.role, a.role), COALESCE(s.status, a.status),
          CASE WHEN EXISTS (SELECT 1 FROM agent_beads ab WHERE ab.agent_id = a.id)
            THEN (SELECT ab.bead_id FROM agent_beads ab WHERE ab.agent_id = a.id ORDER BY ab.at DESC, ab.event_id DESC LIMIT 1)
            ELSE a.bead_id END,
          COALESCE(s.at, a.status_at), a.last_seen_at, s.id, r.at, r.id
        FROM agents a LEFT JOIN m19_status s ON s.agent_id = a.id LEFT JOIN m19_role r ON r.agent_id = a.id;
      DROP TABLE agents;
      ALTER TABLE m19_agents RENAME TO agents;
      DROP TABLE m19_status;
      DROP TABLE m19_role
    `,
  },
  {
    // The lines-of-code gauge sums the unexpired reports (loc.ts, currentLoc) and the schedule reads the latest
    // expiry; both scanned every report ever stored, one row per agent id, never deleted (300,000 ids, posted in
    // 5 s by one ingest token: 75 ms a tick and a throughput read). The index reads the unexpired ones alone, and
    // the tick deletes reports a day past their expiry in its order (tick.ts). Re-runnable: a second run changes nothing.
    version: 20,
    sql: 'CREATE INDEX IF NOT EXISTS loc_expires ON loc (reported_at + ttl_ms)',
  },
  {
    // Agents and beads per status, kept by triggers on every write of the two tables: the tick's gauges, the
    // throughput and Prometheus counted them with a scan of every agent and open bead ever reported (a row
    // each, kept for good), after every write (150,000 agent ids, posted in 15 s by one ingest token: 71 ms a
    // tick; a million, half a second). A migration that rebuilds agents or beads must create its triggers
    // again. Re-runnable: a second run counts afresh.
    version: 21,
    sql: `
      CREATE TABLE IF NOT EXISTS status_counts (
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (kind, status)
      ) WITHOUT ROWID;
      DELETE FROM status_counts;
      INSERT INTO status_counts (kind, status, n) SELECT 'agent', status, COUNT(*) FROM agents GROUP BY status;
      INSERT INTO status_counts (kind, status, n) SELECT 'bead', status, COUNT(*) FROM beads GROUP BY status;
      ${['agent', 'bead'].map(statusCountTriggers).join(';\n')}
    `,
  },
  {
    // Reads by time of tables that keep a row per agent, bead or record ever seen, each of which read the whole
    // table (town/history-scans.test.ts): a bead read's part-hours at a range's ends read their records through
    // usage_times by time (beads/attribution.ts, recordsOf), not agent by agent over every agent that ever had
    // usage; beads.stats reads the beads closed in its range, not every bead; the tick's pruning of agent_beads
    // reads the rows past retention, not every row, every tick. Re-runnable: a second run changes nothing.
    version: 22,
    sql: `
      CREATE INDEX IF NOT EXISTS usage_times_first_at ON usage_times (first_at);
      CREATE INDEX IF NOT EXISTS beads_closed_at ON beads (closed_at) WHERE closed_at IS NOT NULL;
      CREATE INDEX IF NOT EXISTS agent_beads_at ON agent_beads (at)
    `,
  },
  {
    // A bead row's agents (the first 20 by id) walk a bead's bead_hours by agent (beads/attribution.ts,
    // firstAgents) instead of grouping and ranking every agent of the bead on each read. Only a new
    // (hour, bead, agent) row writes it: the tick's updates of amounts leave its columns alone.
    version: 23,
    sql: `CREATE INDEX IF NOT EXISTS bead_hours_agent ON bead_hours (bead, agent_id)`,
  },
  {
    // What a cumulative record reached while another signal counted its spend (usage-baselines.ts): should the
    // record count later (its sender's other signal silent for an hour), only its growth past this counts.
    version: 24,
    sql: `
      CREATE TABLE IF NOT EXISTS usage_baselines (
        id TEXT PRIMARY KEY,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        reasoning_tokens INTEGER NOT NULL,
        cache_read_tokens INTEGER NOT NULL,
        cache_write_tokens INTEGER NOT NULL,
        cost_microdollars INTEGER NOT NULL,
        last_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS usage_baselines_last_at ON usage_baselines (last_at)
    `,
  },
];

/** Migration 21: the triggers that keep status_counts for the table of `kind` (agents, beads). */
function statusCountTriggers(kind: string): string {
  const add = (status: string) =>
    `INSERT INTO status_counts (kind, status, n) VALUES ('${kind}', ${status}, 1)
       ON CONFLICT (kind, status) DO UPDATE SET n = n + 1`;
  const take = (status: string) => `UPDATE status_counts SET n = n - 1 WHERE kind = '${kind}' AND status = ${status}`;
  return `
      CREATE TRIGGER IF NOT EXISTS ${kind}s_status_added AFTER INSERT ON ${kind}s BEGIN ${add('new.status')}; END;
      CREATE TRIGGER IF NOT EXISTS ${kind}s_status_moved AFTER UPDATE OF status ON ${kind}s
        WHEN old.status IS NOT new.status BEGIN ${take('old.status')}; ${add('new.status')}; END;
      CREATE TRIGGER IF NOT EXISTS ${kind}s_status_removed AFTER DELETE ON ${kind}s BEGIN ${take('old.status')}; END`;
}

function breakdownTable(table: string): string {
  return `CREATE TABLE ${table} (
    t INTEGER NOT NULL,
    agent_id TEXT NOT NULL,
    model TEXT NOT NULL,
    tokens INTEGER NOT NULL DEFAULT 0,
    cost_microdollars INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (t, agent_id, model)
  ) WITHOUT ROWID`;
}
