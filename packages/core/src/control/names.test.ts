import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { checkName } from './names.js';

const refused = (name: string) => {
  try {
    checkName(name, 'name');
    return false;
  } catch (err) {
    return err instanceof AppError && err.code === 'bad_request' && err.path === 'name';
  }
};

describe('names of users, towns, organisations and keys', () => {
  it('takes letters, digits, dots, dashes, underscores and single spaces, 1 to 64 of them', () => {
    for (const name of ['bob', 'Fay Town', 'x.y_z-1', 'a b c', '7', 'a'.repeat(64)]) expect(refused(name), name).toBe(false);
  });

  it('refuses the spaces a page or terminal does not show as written: two in a row, or one at an end', () => {
    // Each of these was a second user beside "bob" or "bob x" that every list showed alike.
    for (const name of ['bob ', ' bob', 'bob  x', 'bob\tx', 'bob\u00A0x', 'bob x '])
      expect(refused(name), JSON.stringify(name)).toBe(true);
  });

  it('refuses other characters and lengths at the edge', () => {
    for (const name of ['', 'a'.repeat(65), '-a', 'a/b', 'a\nb', 'é']) expect(refused(name), JSON.stringify(name)).toBe(true);
  });
});
