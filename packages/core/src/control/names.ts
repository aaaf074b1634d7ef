import { AppError } from '../errors.js';

/**
 * 1 to 64 of letters, digits, dots, dashes, underscores and single spaces, starting and ending with anything but a
 * space: `bob`, `bob ` and `bob  x`/`bob x` were different users that every page (which folds spaces) and most
 * terminals show alike.
 */
const NAME = /^(?=.{1,64}$)[A-Za-z0-9](?:[A-Za-z0-9._-]| (?=[A-Za-z0-9._-]))*$/;

/** What NAME takes, in words: the refusal says it, and so does the CLI's help of every command that names something. */
export const NAME_RULE =
  '1 to 64 letters, digits, dots, dashes, underscores or single spaces, starting with a letter or digit and not ending with a space';

/** User, town and organisation names (and ingest key names): see NAME. */
export function checkName(name: string, path: string): void {
  if (!NAME.test(name)) throw new AppError('bad_request', `a name is ${NAME_RULE}`, { path });
}
