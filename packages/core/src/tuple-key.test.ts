import fc from 'fast-check';
import { expect, it } from 'vitest';
import { tupleKey } from './tuple-key.js';

it('gives two different tuples two different keys, whatever characters they hold', () => {
  const part = fc.oneof(fc.string({ unit: 'binary', maxLength: 6 }), fc.constantFrom('\u0000', ':', '1:', '0:', ''));
  fc.assert(
    fc.property(fc.array(part, { maxLength: 4 }), fc.array(part, { maxLength: 4 }), (a, b) => {
      const same = a.length === b.length && a.every((p, i) => p === b[i]);
      expect(tupleKey(...a) === tupleKey(...b)).toBe(same);
    }),
  );
  expect(tupleKey('X\u0000y', 'z')).not.toBe(tupleKey('X', 'y\u0000z'));
});
