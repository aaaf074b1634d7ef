import { AppError, SchemaTooNewError } from '@gasgauge/core';
import type { BoundedSet } from '@gasgauge/core/bounded-map';

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

/** Towns too new whose file the log names, at most (then each is named no more). */
export const MAX_TOO_NEW_TOLD = 1000;

/** How long a client is told to wait before it asks again for a town a newer Gas Gauge wrote (an operator must act). */
const TOO_NEW_RETRY_S = 60;

/**
 * A town's opening for a request: a town a newer Gas Gauge wrote is a 503 saying so (the file named in the log once,
 * not to the client: a path on the server's disk), where it was a 500 "internal error".
 */
export function openTownForRequest<T>(open: () => T, log: (line: string) => void, told: BoundedSet<string>): T {
  try {
    return open();
  } catch (err) {
    if (!(err instanceof SchemaTooNewError)) throw err;
    if (!told.has(err.message)) {
      told.add(err.message);
      log(err.message);
    }
    throw new AppError(
      'unavailable',
      `this town's data was written by a newer Gas Gauge (schema version ${err.version}; this server knows up to ${err.known}): the server's log names the file`,
      { cause: err, retryAfterSeconds: TOO_NEW_RETRY_S },
    );
  }
}
