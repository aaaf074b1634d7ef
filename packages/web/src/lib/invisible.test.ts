import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { restoreInvisible, showInvisible, showInvisibleDeep } from './invisible.js';

const BIDI = [0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069];
/** Zero-width and other characters that show nothing, between Latin letters. */
const ZERO_WIDTH = [0x200b, 0x200c, 0x200d, 0x2060, 0xfeff, 0x00ad, 0x180e, 0x034f, 0x3164, 0xfe0f, 0xe0041, 0xe0101, 0x2064];
const mark = (cp: number) => `⟨U+${cp.toString(16).toUpperCase().padStart(4, '0')}⟩`;

describe('invisible characters in names', () => {
  it('shows every bidi control and every zero-width character between Latin letters as its code point', () => {
    for (const cp of [...BIDI, ...ZERO_WIDTH]) expect(showInvisible(`a${String.fromCodePoint(cp)}b`)).toBe(`a${mark(cp)}b`);
    expect(showInvisible('invoice\u202Efdp.exe')).toBe('invoice⟨U+202E⟩fdp.exe');
    expect(showInvisible('polecat\u200B-1')).toBe('polecat⟨U+200B⟩-1');
    expect(showInvisible('\uFEFFpolecat-1\u2060')).toBe('⟨U+FEFF⟩polecat-1⟨U+2060⟩');
    expect(showInvisible('gt\u00AD1')).toBe('gt⟨U+00AD⟩1');
  });

  it('two ids that differ only by invisible characters never look the same', () => {
    const ids = ['polecat-1', 'polecat\u200B-1', 'polecat-\u200D1', 'pole\u00ADcat-1', 'polecat-1\uFE0F', 'polecat-1\u{E0020}'];
    expect(new Set(ids.map(showInvisible)).size).toBe(ids.length);
  });

  it('leaves joiners, variation selectors and tags where scripts and emoji are written with them', () => {
    for (const text of [
      'polecat-1',
      'שלום',
      'مرحبا',
      'می\u200Cخواهم', // Persian: a ZWNJ between Arabic letters
      'क्\u200Dष', // Devanagari: virama, ZWJ, letter
      'ශ්\u200Dරී', // Sinhala
      '👩\u200D💻 👨\u200D👩\u200D👧 👩🏽\u200D💻 🏳\uFE0F\u200D🌈 ❤\uFE0F\u200D🔥', // emoji ZWJ sequences
      '1\uFE0F\u20E3 ☺\uFE0E', // keycap, text presentation
      '🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}', // the flag of Scotland
      'ภาษา\u200Bไทย', // Thai: ZWSP is its word break
      '葛\u{E0100}', // an ideographic variation
      '',
    ])
      expect(showInvisible(text)).toBe(text);
  });

  it('shows them where no script calls for them', () => {
    expect(showInvisible('ab\u200Ccd')).toBe('ab⟨U+200C⟩cd'); // Latin
    expect(showInvisible('پ\u200Da')).toBe('پ⟨U+200D⟩a'); // not between two joining letters
    expect(showInvisible('\u200Dक')).toBe('⟨U+200D⟩क');
    expect(showInvisible('ไทย\u200B')).toBe('ไทย⟨U+200B⟩'); // at the end: no word to break
    expect(showInvisible('a\u200B👩')).toBe('a⟨U+200B⟩👩');
    expect(showInvisible('x\u{E0067}\u{E0062}')).toBe('x⟨U+E0067⟩⟨U+E0062⟩'); // tags not after a flag
    expect(showInvisible('a\uFE0F\u200D🔥')).toBe('a⟨U+FE0F⟩⟨U+200D⟩🔥'); // a joiner after a marked selector
  });

  it('marks a ⟨ that begins ⟨U+ in the text, so the text never passes for a mark', () => {
    expect(showInvisible('a⟨U+200B⟩b')).toBe('a⟨U+27E8⟩U+200B⟩b');
    expect(showInvisible('a\u200Bb')).not.toBe(showInvisible('a⟨U+200B⟩b'));
    expect(showInvisible('⟨x⟩ ⟨U')).toBe('⟨x⟩ ⟨U');
  });

  it('marks a letter that passes for a Latin one inside a Latin word, and leaves words written in one script', () => {
    expect(showInvisible('p\u043Elecat-7')).toBe('p⟨U+043E⟩lecat-7'); // Cyrillic о
    expect(showInvisible('\u0430gent \u03BFps \u0585k \u13AAble')).toBe('⟨U+0430⟩gent ⟨U+03BF⟩ps ⟨U+0585⟩k ⟨U+13AA⟩ble');
    expect(showInvisible('ра\u0079')).toBe('⟨U+0440⟩⟨U+0430⟩y'); // every imitating letter of the word
    const ids = ['polecat-7', 'p\u043Elecat-7', 'polec\u0430t-7', 'pol\u0435cat-7'];
    expect(new Set(ids.map(showInvisible)).size).toBe(ids.length);
    for (const text of [
      'агент-7', // Cyrillic words, Latin words, apart
      'агент alpha',
      'polecat-7 Ωμέγα',
      'αβγ',
      'Ελληνικά',
      'Ѐ-1',
      '東京polecat', // Han beside Latin: nothing imitates
      'café',
    ])
      expect(showInvisible(text)).toBe(text);
  });

  it('marks a name drawn wholly in letters that pass for Latin ones when it is shaped like an id (ASCII digits, punctuation, a Latin word)', () => {
    const c = (text: string) =>
      [...text]
        .map((ch) => (/[\p{L}]/u.test(ch) && !/\p{Script=Latin}/u.test(ch) ? mark(ch.codePointAt(0) as number) : ch))
        .join('');
    for (const name of [
      '\u0430\u0441\u0435-1', // асе-1: Cyrillic а, с, е
      '\u0441\u043E\u0440_2', // сор_2
      '\u0425\u041E\u0420.io', // ХОР.io: Cyrillic capitals, then a Latin word
      '\u0430\u0441\u0435 polecat', // асе polecat: a Latin word beside it
      '\u0391\u0392\u0395-1', // ΑΒΕ-1: Greek capitals
      '\u03BF\u03C1\u03B1-7', // ορα-7: Greek
      '\u0585\u057D-1', // օս-1: Armenian
      '\u13AA\u13F4\u13DF-1', // ᎪᏴᏟ-1: Cherokee
      'p\u043E\u0440-1', // pор-1: already a mixed word, now every look-alike in it
    ])
      expect(showInvisible(name), name).toBe(c(name));
    expect(showInvisible('\u0430\u0441\u0435-1')).toBe('⟨U+0430⟩⟨U+0441⟩⟨U+0435⟩-1');
    const ids = ['ace-1', '\u0430\u0441\u0435-1', 'a\u0441\u0435-1', '\u0430ce-1', 'ac\u0435-1'];
    expect(new Set(ids.map(showInvisible)).size).toBe(ids.length);
    for (const id of ids) expect(restoreInvisible(showInvisible(id))).toBe(id);
    // A hidden character inside does not hide the rest: both are marked.
    expect(showInvisible('\u0430\u200B\u0441\u0435-1')).toBe('⟨U+0430⟩⟨U+200B⟩⟨U+0441⟩⟨U+0435⟩-1');
  });

  it('leaves a real word as a whole name, and a word with any letter of its own script', () => {
    for (const text of [
      '\u0441\u043E\u0440', // сор ("litter"): look-alikes alone, no id shape
      '\u0421\u041E\u0420', // СОР
      '\u0440\u043E\u0445 \u0440\u043E\u0435', // рох рое: words and a space
      '\u0430\u0433\u0435\u043D\u0442-7', // агент-7: г, н, т read as Cyrillic
      '\u0421\u0435\u0440\u0433\u0435\u0439-1', // Сергей-1
      '\u03A9\u03BC\u03AD\u03B3\u03B1 2', // Ωμέγα 2
      '\u0430\u0433\u0435\u043D\u0442 \u0430\u0441\u0435-1', // агент асе-1: the name reads as Russian
      '\u0434\u043E\u043C-1', // дом-1
    ])
      expect(showInvisible(text), text).toBe(text);
  });

  it('marks a real word drawn in look-alikes where an answer also holds the Latin name it reads as', () => {
    const cop = '\u0441\u043E\u0440'; // сор
    const shownCop = '⟨U+0441⟩⟨U+043E⟩⟨U+0440⟩';
    expect(showInvisibleDeep({ agents: [{ id: cop }, { id: 'cop' }] })).toEqual({ agents: [{ id: shownCop }, { id: 'cop' }] });
    // As an object key (a breakdown's series), and in any order.
    expect(showInvisibleDeep({ series: { cop: [1], [cop]: [2] } })).toEqual({ series: { cop: [1], [shownCop]: [2] } });
    // Two look-alike spellings of one Latin word: both marked, though the Latin one is not there.
    expect(showInvisibleDeep([cop, '\u0441o\u0440'])).toEqual([shownCop, '⟨U+0441⟩o⟨U+0440⟩']);
    // Alone, beside other Latin names, twice, or beside a name it does not read as (case counts): as written.
    for (const answer of [[cop], [cop, 'polecat-1', 'crew'], [cop, cop], ['\u0421\u041E\u0420', 'cop'], [cop, 'cap']])
      expect(showInvisibleDeep(answer)).toEqual(answer);
  });

  it('marks every other form of an ASCII letter or digit (NFKC folds it to ASCII), so no id passes for an ASCII one', () => {
    // Monospace mathematical, fullwidth, superscript, letterlike, enclosed, Roman numeral, ligature.
    expect(showInvisible('\u{1D699}\u{1D698}-1')).toBe('⟨U+1D699⟩⟨U+1D698⟩-1');
    expect(showInvisible('ｐolecat-１ x² ℓ ① Ⅻ ﬁle')).toBe(
      '⟨U+FF50⟩olecat-⟨U+FF11⟩ x⟨U+00B2⟩ ⟨U+2113⟩ ⟨U+2460⟩ ⟨U+216B⟩ ⟨U+FB01⟩le',
    );
    const ids = [
      'polecat-1',
      '\u{1D699}\u{1D698}\u{1D695}\u{1D68E}\u{1D68C}\u{1D68A}\u{1D69D}-1',
      'ｐｏｌｅｃａｔ-1',
      'polecat-１',
    ];
    expect(new Set(ids.map(showInvisible)).size).toBe(ids.length);
    for (const id of ids) expect(restoreInvisible(showInvisible(id))).toBe(id);
    // Letters NFKC does not fold to ASCII, and symbols, stay as written.
    for (const text of ['café', 'Ångström', 'naïve', '東京', 'Acme™', '½ cup']) expect(showInvisible(text)).toBe(text);
  });

  it('marks the spaces and controls a page would fold or hide, so names that differ by them never look the same', () => {
    const ids = [
      'polecat 1',
      'polecat  1',
      'polecat 1 ',
      ' polecat 1',
      'polecat\t1',
      'polecat\n1',
      'polecat\r\n1',
      'polecat\u00A01',
      'polecat\u30001',
      'polecat\u20281',
      'polecat\u00011',
      'polecat\u00021',
      'polecat\u00851',
      'polecat1\u0000',
    ];
    expect(ids.map(showInvisible)).toEqual([
      'polecat 1',
      'polecat ⟨U+0020⟩1',
      'polecat 1⟨U+0020⟩',
      '⟨U+0020⟩polecat 1',
      'polecat⟨U+0009⟩1',
      'polecat⟨U+000A⟩1',
      'polecat⟨U+000D⟩⟨U+000A⟩1',
      'polecat⟨U+00A0⟩1',
      'polecat⟨U+3000⟩1',
      'polecat⟨U+2028⟩1',
      'polecat⟨U+0001⟩1',
      'polecat⟨U+0002⟩1',
      'polecat⟨U+0085⟩1',
      'polecat1⟨U+0000⟩',
    ]);
    expect(showInvisible(' ')).toBe('⟨U+0020⟩');
    expect(showInvisible('   ')).toBe('⟨U+0020⟩⟨U+0020⟩⟨U+0020⟩');
    for (const text of ['Fix the flaky test', 'a b c', 'שלום עולם', 'x · y', '']) expect(showInvisible(text)).toBe(text);
  });

  it('reaches every string and key of an answer, and keeps numbers, nulls and shape', () => {
    const answer = {
      step: 60_000,
      t: [1, 2],
      series: { 'a\u202Eb': [1, null], plain: [null, 2] },
      agents: [{ id: '\u2067x\u2069', role: null, beadId: 'gt\u200B-1' }],
      budget: null,
    };
    expect(showInvisibleDeep(answer)).toEqual({
      step: 60_000,
      t: [1, 2],
      series: { 'a⟨U+202E⟩b': [1, null], plain: [null, 2] },
      agents: [{ id: '⟨U+2067⟩x⟨U+2069⟩', role: null, beadId: 'gt⟨U+200B⟩-1' }],
      budget: null,
    });
    const numbers = [1, 2, 3];
    expect(showInvisibleDeep(numbers)).toBe(numbers);
  });

  it('restores what it showed, exactly', () => {
    const text = fc.string({
      unit: fc.oneof(
        fc.constantFrom(...[...BIDI, ...ZERO_WIDTH, 0x27e8].map((cp) => String.fromCodePoint(cp)), 'U', '+', '2', '0', 'B', '⟩'),
        fc.constantFrom(' ', ' ', '\t', '\n', '\u00A0', '\u3000', '\u0000', '\u0085', '\u2029'),
        fc.constantFrom('a', 'क', '्', 'ي', '👩', '🏴', 'ไ', '1', 'о', 'а', 'ο', '\u0301'),
        fc.string({ minLength: 1, maxLength: 1, unit: 'grapheme' }),
      ),
    });
    fc.assert(fc.property(text, (t) => restoreInvisible(showInvisible(t)) === t));
    fc.assert(fc.property(text, text, (a, b) => a === b || showInvisible(a) !== showInvisible(b)));
    expect(restoreInvisible('gt-⟨U+202D⟩9')).toBe('gt-\u202D9');
    expect(restoreInvisible('⟨U+0041⟩')).toBe('⟨U+0041⟩'); // not a character ever marked: left as it is
    expect(restoreInvisible('p⟨U+043E⟩lecat')).toBe('p\u043Elecat');
  });
});
