import { describe, expect, it } from 'vitest';
import { fitColumns, shown } from './terminal.js';

describe('a line as the terminal shows it', () => {
  it('spells out control characters, bidi controls and characters that show nothing; keeps tab and text', () => {
    expect(shown('a\u001b[2J\u0007b\tc\n')).toBe('a\\u001b[2J\\u0007b\tc\\u000a');
    expect(shown('evil\u202Egnp.exe \u2066x\u2069 \u200Fy')).toBe('evil\\u202egnp.exe \\u2066x\\u2069 \\u200fy');
    expect(shown('polecat\u200B-1 gt\u00AD1 \uFEFFx\u2060 a\u180Eb y\u{E0041}')).toBe(
      'polecat\\u200b-1 gt\\u00ad1 \\ufeffx\\u2060 a\\u180eb y\\u{e0041}',
    );
    expect(shown('p\u043Elecat-1 агент')).toBe('p\\u043elecat-1 агент'); // a Cyrillic о inside a Latin word
    expect(shown('\u{1D699}olecat-１')).toBe('\\u{1d699}olecat-\\uff11'); // a mathematical p, a fullwidth 1
    for (const text of ['polecat-1', 'می\u200Cخواهم', 'क्\u200Dष', '👩\u200D💻', 'ภาษา\u200Bไทย', 'C:\\Users\\x'])
      expect(shown(text)).toBe(text);
  });

  it('spells out the look-alikes of a name drawn wholly in them and shaped like an id, as the web UI marks them; leaves words', () => {
    // Cyrillic а, с, е in `асе-1` (an id's dash and digit), Cyrillic Х, О, Р in `ХОР.io`.
    expect(shown('асе-1 working')).toBe('\\u0430\\u0441\\u0435-1 working');
    expect(shown('agent ХОР.io idle')).toBe('agent \\u0425\\u041e\\u0420.io idle');
    // A Russian word as a whole name, or a name with a letter of its own script, is written as it is.
    for (const text of ['сор working', 'агент-7', 'Сергей-1 idle', 'Ωμέγα 2', 'агент асе-1']) expect(shown(text)).toBe(text);
  });

  it('spells out a backslash that begins \\u in the text, so a name never passes for a spelled-out character', () => {
    expect(shown('a\\u200bb')).toBe('a\\u005cu200bb');
    expect(shown('a\u200Bb')).not.toBe(shown('a\\u200bb'));
  });
});

describe('a line cut to the terminal’s width', () => {
  it('counts a CJK character, a Hangul syllable, a fullwidth letter or an emoji as two columns, a combining mark as none', () => {
    expect(fitColumns('ab日本c', 4)).toBe('ab日');
    expect(fitColumns('日本', 3)).toBe('日');
    expect(fitColumns('한국어', 4)).toBe('한국');
    expect(fitColumns('ＡＢ', 3)).toBe('Ａ');
    expect(fitColumns('😀😀', 3)).toBe('😀');
    expect(fitColumns('e\u0301x', 2)).toBe('e\u0301x');
    expect(fitColumns('read · sent', 6)).toBe('read ·');
    // Never half a surrogate pair, and nothing when even the first character does not fit.
    expect(fitColumns('😀', 1)).toBe('');
    expect(fitColumns('', 5)).toBe('');
  });
});
