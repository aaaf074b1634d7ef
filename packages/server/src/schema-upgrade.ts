import { type MigrationResult, SchemaTooNewError } from '@gasgauge/core';

/**
 * Opens a database (`new Control`, `new Town`), naming its file in a `SchemaTooNewError`: an operator
 * who started an older Gas Gauge on a newer one's data dir is told which file, not just "the database".
 */
export function openNaming<T>(file: string, open: () => T): T {
  try {
    return open();
  } catch (err) {
    if (err instanceof SchemaTooNewError) throw new SchemaTooNewError(err.version, err.known, file);
    throw err;
  }
}

/** The log line for a database an upgrade migrated when it was opened; none for a new or current one. */
export function upgradeLine(file: string, schema: MigrationResult): string | undefined {
  if (schema.from === 0 || schema.from === schema.to) return undefined;
  return `${file}: schema upgraded from version ${schema.from} to ${schema.to}`;
}
