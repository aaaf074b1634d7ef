import { AppError } from '../errors.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;

/** User, town and organisation names: 1 to 64 characters, starting with a letter or digit. */
export function checkName(name: string, path: string): void {
  if (!NAME.test(name)) {
    throw new AppError('bad_request', 'a name is 1 to 64 letters, digits, spaces, dots, dashes or underscores', { path });
  }
}
