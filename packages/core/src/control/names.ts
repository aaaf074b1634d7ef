import { AppError } from '../errors.js';

/**
 * 1 to 64 of letters, digits, dots, dashes, underscores and single spaces, starting and ending with anything but a
 * space: `bob`, `bob ` and `bob  x`/`bob x` were different users that every page (which folds spaces) and most
 * terminals show alike.
 */
const NAME = /^(?=.{1,64}$)[A-Za-z0-9](?:[A-Za-z0-9._-]| (?=[A-Za-z0-9._-]))*$/;

/** User, town and organisation names (and ingest key names): see NAME. */
export function checkName(name: string, path: string): void {
  if (!NAME.test(name)) {
    throw new AppError(
      'bad_request',
      'a name is 1 to 64 letters, digits, dots, dashes, underscores or single spaces, starting with a letter or digit and not ending with a space',
      { path },
    );
  }
}
