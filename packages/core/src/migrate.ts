import type { Sql } from './sql.js';

/** One schema step. Versions are consecutive from 1; a step never changes once released. */
export interface Migration {
  version: number;
  sql: string;
}

/**
 * Applies the migrations not yet recorded in `schema_migrations`, each in its own transaction.
 * Re-runnable: a database already at the latest version is left untouched.
 * A table rather than PRAGMA user_version, because Durable Object storage does not allow that pragma.
 */
export function migrate(sql: Sql, migrations: readonly Migration[], now: number): number {
  sql.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const applied = () => Number(sql.rows('SELECT COALESCE(MAX(version), 0) FROM schema_migrations')[0]?.[0] ?? 0);
  const current = applied();
  for (const m of migrations) {
    if (m.version <= current) continue;
    sql.transaction(() => {
      // Read again under the write lock: another process (the CLI beside the server) may have applied it meanwhile.
      if (m.version <= applied()) return;
      for (const statement of splitStatements(m.sql)) sql.run(statement);
      sql.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', m.version, now);
    });
  }
  return migrations.at(-1)?.version ?? current;
}

function splitStatements(script: string): string[] {
  return script
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
