import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { restoreBidiControls, showBidiControls, showBidiControlsDeep } from './bidi.js';

const CONTROLS = [0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069];

describe('bidi controls', () => {
  it('shows every bidi control as its code point, and leaves other text alone', () => {
    for (const cp of CONTROLS) {
      const shown = showBidiControls(`a${String.fromCodePoint(cp)}b`);
      expect(shown).toBe(`a⟨U+${cp.toString(16).toUpperCase().padStart(4, '0')}⟩b`);
    }
    expect(showBidiControls('invoice\u202Efdp.exe')).toBe('invoice⟨U+202E⟩fdp.exe');
    for (const text of ['polecat-1', 'שלום', 'مرحبا', 'emoji 😀', 'zero\u200Bwidth space', ''])
      expect(showBidiControls(text)).toBe(text);
  });

  it('reaches every string and key of an answer, and keeps numbers, nulls and shape', () => {
    const answer = {
      step: 60_000,
      t: [1, 2],
      series: { 'a\u202Eb': [1, null], plain: [null, 2] },
      agents: [{ id: '\u2067x\u2069', role: null, beadId: 'gt-1' }],
      budget: null,
    };
    expect(showBidiControlsDeep(answer)).toEqual({
      step: 60_000,
      t: [1, 2],
      series: { 'a⟨U+202E⟩b': [1, null], plain: [null, 2] },
      agents: [{ id: '⟨U+2067⟩x⟨U+2069⟩', role: null, beadId: 'gt-1' }],
      budget: null,
    });
    const numbers = [1, 2, 3];
    expect(showBidiControlsDeep(numbers)).toBe(numbers);
  });

  it('restores what it showed, exactly', () => {
    const withControls = fc.string({
      unit: fc.oneof(
        fc.constantFrom(...CONTROLS.map((cp) => String.fromCodePoint(cp))),
        fc.string({ minLength: 1, maxLength: 1 }),
      ),
    });
    fc.assert(fc.property(withControls, (text) => restoreBidiControls(showBidiControls(text)) === text));
    expect(restoreBidiControls('gt-⟨U+202D⟩9')).toBe('gt-\u202D9');
    expect(restoreBidiControls('⟨U+0041⟩')).toBe('⟨U+0041⟩'); // not a bidi control: left as it is
  });
});
