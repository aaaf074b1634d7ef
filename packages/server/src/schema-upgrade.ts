import { SchemaTooNewError } from '@gasgauge/core';

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
