import { longerThan } from '@gasgauge/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

/**
 * Every bound checked by hand on text (OTLP's ids and attributes, a grant's note, a webhook URL) goes through
 * `longerThan`, which must count as `z.string().max()` does, so that no route refuses text another stores.
 */
describe('longerThan counts characters as zod does', () => {
  it('agrees with z.string().max() on text of every kind, at and around the bound', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.string({ unit: fc.constantFrom('a', '😀', '\ud800', '\udc00', 'é', '\u0301'), maxLength: 40 }),
    );
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 45 }), (s, max) => {
        expect(longerThan(s, max), JSON.stringify(s)).toBe(!z.string().max(max).safeParse(s).success);
      }),
      { numRuns: 2000, seed: 20261206 },
    );
  });

  it('256 emoji are 256 characters', () => {
    expect(longerThan('😀'.repeat(256), 256)).toBe(false);
    expect(longerThan('😀'.repeat(257), 256)).toBe(true);
  });
});
