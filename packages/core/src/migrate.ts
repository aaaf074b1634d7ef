import type { Sql } from './sql.js';

/** One schema step. Versions are consecutive from 1; a step never changes once released. */
export interface Migration {
  version: number;
  sql: string;
}

/** The schema version a database had when opened (0: new) and the one it has now. */
export interface MigrationResult {
  from: number;
  to: number;
}

/**
 * A database written by a newer Gas Gauge: its schema has steps this code does not know. Running on it
 * would skip what those steps keep up to date (a table the older code never writes goes stale, and a
 * later upgrade finds its migration already applied), so it is refused instead.
 */
export class SchemaTooNewError extends Error {
  constructor(
    readonly version: number,
    readonly known: number,
    /** What the database is, for the message: a host that knows its file names it. */
    readonly what = 'the database',
  ) {
    super(
      `${what} has schema version ${version}, newer than this Gas Gauge knows (${known}): a newer Gas Gauge wrote it. ` +
        'Run that version (or a later one), or restore a backup made by this one',
    );
    this.name = 'SchemaTooNewError';
  }
}

/**
 * Applies the migrations not yet recorded in `schema_migrations`, each in its own transaction.
 * Re-runnable: a database already at the latest version is left untouched. A database at a version
 * past the last migration is a `SchemaTooNewError`, and no step is applied to it.
 * A table rather than PRAGMA user_version, because Durable Object storage does not allow that pragma.
 */
export function migrate(sql: Sql, migrations: readonly Migration[], now: number): MigrationResult {
  const known = migrations.at(-1)?.version ?? 0;
  sql.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const applied = () => Number(sql.rows('SELECT COALESCE(MAX(version), 0) FROM schema_migrations')[0]?.[0] ?? 0);
  const current = applied();
  if (current > known) throw new SchemaTooNewError(current, known);
  for (const m of migrations) {
    if (m.version <= current) continue;
    sql.transaction(() => {
      // Read again under the write lock: another process (the CLI beside the server) may have applied it meanwhile.
      if (m.version <= applied()) return;
      for (const statement of splitStatements(m.sql)) sql.run(statement);
      sql.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', m.version, now);
    });
  }
  return { from: current, to: known };
}

/** The log line for a database an upgrade migrated when it was opened; none for a new or current one. */
export function upgradeLine(what: string, schema: MigrationResult): string | undefined {
  if (schema.from === 0 || schema.from === schema.to) return undefined;
  return `${what}: schema upgraded from version ${schema.from} to ${schema.to}`;
}

/** A script's statements, split at `;`; a CREATE TRIGGER stays whole up to its END (its body's statements end in `;`). */
function splitStatements(script: string): string[] {
  const out: string[] = [];
  let trigger: string[] | undefined;
  for (const piece of script.split(';').map((s) => s.trim())) {
    if (trigger) {
      trigger.push(piece);
      if (/^END$/i.test(piece)) {
        out.push(trigger.join('; '));
        trigger = undefined;
      }
    } else if (/^CREATE\s+TRIGGER\b/i.test(piece)) trigger = [piece];
    else if (piece.length > 0) out.push(piece);
  }
  if (trigger) throw new Error(`a migration's CREATE TRIGGER has no END: ${trigger[0]}`);
  return out;
}
