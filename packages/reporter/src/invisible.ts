/**
 * Characters that show nothing where a name is shown: Unicode's default-ignorable code points (zero-width
 * space U+200B, joiners, word joiner U+2060, U+FEFF, soft hyphen U+00AD, U+180E, Hangul fillers, variation
 * selectors, tags, the bidi controls, …) and the other format characters (Cf). Two agent ids that differ
 * only by them look the same, and a bidi control reorders what is shown around it (`invoice\u202Efdp.exe`
 * reads `invoiceexe.pdf`): where names are shown (the web UI, the CLI), each is shown as a visible mark
 * instead (`⟨U+200B⟩`, `\u200b`), except where a script is written with it, which renders as usual:
 * - a zero-width joiner or non-joiner (U+200D, U+200C) between two letters or marks of a script that joins
 *   (Arabic and Persian, the Indic scripts, Sinhala, …: not Latin, Greek, Cyrillic, Han, kana or Hangul);
 * - a zero-width joiner inside an emoji sequence (👩‍💻, 🏳️‍🌈), VS15/VS16 (U+FE0E, U+FE0F) after an emoji
 *   or VS16 in a keycap (1️⃣), and tag characters in a flag's tag sequence (🏴󠁧󠁢󠁳󠁣󠁴󠁿);
 * - a zero-width space between two letters or marks of Thai, Lao, Khmer or Myanmar, written without spaces
 *   between words (U+200B is their word break);
 * - a Mongolian free variation selector or vowel separator (U+180B–U+180F) after a Mongolian letter, and a
 *   variation selector after a Han character (a glyph variant).
 * There, two names that differ by such a character alone may still look alike: the price of keeping those
 * scripts readable. A bidi control is always shown.
 */
const CANDIDATE = String.raw`[\p{Default_Ignorable_Code_Point}\p{Cf}]`;
/**
 * Letters of the scripts whose letters pass for Latin ones (Cyrillic а, е, о, р, с, х; Greek ο, ν; Armenian
 * օ; Cherokee Ꭺ): one of them inside a word that also holds Latin letters (`pоlecat-7` with a Cyrillic о) is
 * there to pass for the Latin word, and is marked like a hidden character. A word wholly in one of those
 * scripts (`агент`), or mixed with any other script, is left as written. Unicode's mixed-script rule (UTS
 * #39), narrowed to the scripts that imitate Latin. (LOOKALIKE: what such a letter, or another form of an ASCII
 * letter or digit, isAsciiForm, may be matched as.)
 */
const LOOKALIKE = String.raw`[\p{L}\p{M}\p{N}]`;
const LOOKALIKE_SCRIPT = /[\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Armenian}\p{Script=Cherokee}]/u;
const LATIN_LETTER = /[\p{Script=Latin}]/u;
/** A word: letters, marks and digits, whatever their script. */
const WORD = /[\p{L}\p{M}\p{Nd}]+/gu;
const HIDDEN_CHARACTER = new RegExp(`^${CANDIDATE}$`, 'u');

const LETTER = /^[\p{L}\p{M}]$/u;
/** Scripts written without joiners: a joiner between their letters is only there to make two names alike. */
const NOT_JOINING =
  /^[\p{scx=Latn}\p{scx=Grek}\p{scx=Cyrl}\p{scx=Zyyy}\p{scx=Zinh}\p{scx=Hani}\p{scx=Hira}\p{scx=Kana}\p{scx=Hang}]$/u;
const JOINING_LETTER = (c: string) => LETTER.test(c) && !NOT_JOINING.test(c);
const SPACELESS_LETTER = (c: string) => LETTER.test(c) && /^[\p{scx=Thai}\p{scx=Laoo}\p{scx=Khmr}\p{scx=Mymr}]$/u.test(c);
const EMOJI = /^\p{Extended_Pictographic}$/u;
const EMOJI_BEFORE_JOINER = /^(?:\p{Extended_Pictographic}|\p{Emoji_Modifier}|\uFE0F)$/u;
const MONGOLIAN = /^\p{scx=Mong}$/u;
const HAN = /^\p{scx=Hani}$/u;
const isTag = (cp: number) => cp >= 0xe0020 && cp <= 0xe007f;

/** Whether a character is one of those that show nothing (whatever its context): `markHidden` may mark it. */
export function isHiddenCharacter(c: string): boolean {
  return HIDDEN_CHARACTER.test(c);
}

/**
 * A letter or digit that is another form of ASCII ones: mathematical (`𝚙`), fullwidth (`ｐ`), super- and
 * subscript (`²`), letterlike (`ℓ`), enclosed digits (`①`), Roman numerals (`Ⅻ`), ligatures (`ﬁ`). NFKC folds each to
 * ASCII and a font draws it as those, so `𝚙𝚘𝚕𝚎𝚌𝚊𝚝-1` passes for `polecat-1`; no name is written so but to pass
 * for another, so each is always marked.
 */
function isAsciiForm(c: string): boolean {
  return c > '\x7f' && ALNUM.test(c) && ASCII_ALNUM.test(c.normalize('NFKC'));
}
const ALNUM = /^[\p{L}\p{N}]$/u;
const ASCII_ALNUM = /^[A-Za-z0-9]+$/;
const ALL_ASCII = /^\p{ASCII}*$/u;

/** Whether `markHidden` may mark this character: one that shows nothing, a letter of a script that imitates Latin, or another form of ASCII. */
export function isMarkableCharacter(c: string): boolean {
  return HIDDEN_CHARACTER.test(c) || (LETTER.test(c) && LOOKALIKE_SCRIPT.test(c)) || isAsciiForm(c);
}

/**
 * Letters of Cyrillic, Greek, Armenian and Cherokee that a common sans-serif font draws as a Latin letter
 * (Unicode's confusables, UTS #39, narrowed to those that pass for one at a glance), each with the letter
 * it passes for.
 */
const LATIN_OF: ReadonlyMap<string, string> = new Map(
  [
    ['асеһіјӏорԛѕԝхуԁѵ', 'acehijlopqswxydv'], // Cyrillic
    ['АВСЕНІЈКМОРЅТХУҮԚԜӀѴ', 'ABCEHIJKMOPSTXYYQWIV'],
    ['οινραυγϲϳ', 'oivpauycj'], // Greek
    ['ΑΒΕΖΗΙΚΜΝΟΡΤΥΧϹͿ', 'ABEZHIKMNOPTYXCJ'],
    ['օսհոզցԼՍՕ', 'ouhnqgLUO'], // Armenian
    ['ᎠᎡᎢᎪᎫᎬᏴᏔᎷᎻᎽᏀᏃᏒᏚᏟᏞᏢᏙᏦ', 'DRTAJEBWMHYGZRSCLPVK'], // Cherokee
  ].flatMap(([from, to]) => [...(from as string)].map((c, i) => [c, (to as string)[i] as string] as const)),
);
const CONFUSABLES = [...LATIN_OF.keys()].join('');
/** One look-alike letter (global: for replace). */
export const CONFUSABLE_LETTER = new RegExp(`[${CONFUSABLES}]`, 'gu');
const HAS_CONFUSABLE = new RegExp(`[${CONFUSABLES}]`, 'u');
const ANY_LETTER = /\p{L}/gu;
const LATIN = /^\p{Script=Latin}$/u;
/** ASCII digits, punctuation and symbols: what an id like `polecat-1` or `crew_3` is made of besides letters. */
const ID_SHAPE = /[0-9\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]|\p{Script=Latin}/u;

/**
 * Whether a name written without one Latin-looking letter of its own passes for a Latin one as a whole:
 * it is drawn in Latin (every letter Latin or a look-alike, CONFUSABLES, and one a look-alike) and holds an
 * ASCII digit or punctuation mark, or a Latin letter (`асе-1`, `сор_2`, `ХОР.io`, `асе polecat`, all
 * Cyrillic where a Latin letter seems to be). Then each look-alike is marked, as a look-alike inside a Latin
 * word already is (lookalikesIn, which leaves a word wholly in one script alone).
 *
 * Not by itself: a name of look-alike letters and spaces alone (`сор`, "litter", or `рох рое`). That is how a
 * real Russian (or Greek) word is written as a whole name, and marking it everywhere would show a Russian
 * user's own agent as code points; what makes it a look-alike is a Latin name beside it that it reads as
 * (`cop`), which the web UI checks within one answer (`showInvisibleDeep`). The digits and punctuation are
 * what make a name read as an id of this town (they are ASCII in every script), so a name shaped like one and
 * drawn in Latin is taken to be meant as one. A word with any letter that reads as its own script (`агент-7`,
 * `Сергей-1`, `Ωμέγα 2`) is no look-alike.
 */
export function passesForLatin(name: string): boolean {
  return drawnInLatin(name) && ID_SHAPE.test(name);
}

/** Whether every letter of `name` is Latin or a look-alike, and one is a look-alike. */
export function drawnInLatin(name: string): boolean {
  if (!HAS_CONFUSABLE.test(name)) return false;
  for (const [c] of name.matchAll(ANY_LETTER)) if (!LATIN.test(c) && !LATIN_OF.has(c)) return false;
  return true;
}

/** Whether a text holds a letter of a look-alike script that passes for no Latin one (`г`, `ж`, `λ`). */
function hasOwnScriptLetter(text: string): boolean {
  for (const [c] of text.matchAll(ANY_LETTER)) if (LOOKALIKE_SCRIPT.test(c) && !LATIN_OF.has(c)) return true;
  return false;
}

/** Whether a text is shaped like an id (an ASCII digit or punctuation mark, or a Latin letter): see passesForLatin. */
export const idShaped = (text: string): boolean => ID_SHAPE.test(text);

/** The text with each look-alike letter as the Latin one it passes for (`сор` → `cop`). */
export const skeleton = (text: string): string => text.replace(CONFUSABLE_LETTER, (c) => LATIN_OF.get(c) as string);

/** A run of text between spaces: in a line of the CLI, one name or word (see lookalikesIn). */
const TOKEN = /\S+/gu;

/**
 * Where letters that pass for Latin stand (their UTF-16 offsets): a look-alike script's letters inside a Latin
 * word, the look-alikes of a run between spaces that passes for a Latin id (passesForLatin), and every other
 * form of an ASCII letter or digit (isAsciiForm). Empty for most texts, at the cost of a
 * test or two (ASCII text, and text that NFKC leaves as it is, hold no such form).
 */
function lookalikesIn(text: string): Set<number> {
  const at = new Set<number>();
  if (!ALL_ASCII.test(text) && text.normalize('NFKC') !== text) {
    let offset = 0;
    for (const c of text) {
      if (isAsciiForm(c)) at.add(offset);
      offset += c.length;
    }
  }
  if (!LOOKALIKE_SCRIPT.test(text)) return at;
  // A run between spaces drawn wholly in look-alikes and shaped like an id (`асе-1`) passes for a Latin one,
  // unless the text holds a letter of those scripts that passes for none (`агент асе-1`: written in Cyrillic).
  if (HAS_CONFUSABLE.test(text) && !hasOwnScriptLetter(text)) {
    for (const m of text.matchAll(TOKEN)) {
      if (!passesForLatin(m[0])) continue;
      for (const l of m[0].matchAll(CONFUSABLE_LETTER)) at.add(m.index + l.index);
    }
  }
  if (!LATIN_LETTER.test(text)) return at;
  for (const m of text.matchAll(WORD)) {
    const word = m[0];
    if (!LATIN_LETTER.test(word) || !LOOKALIKE_SCRIPT.test(word)) continue;
    let offset = m.index;
    for (const c of word) {
      if (LOOKALIKE_SCRIPT.test(c) && LETTER.test(c)) at.add(offset);
      offset += c.length;
    }
  }
  return at;
}

/** Whether the hidden character `c`, between `before` and `after` (whole code points, '' at an end), renders as part of its script. */
function writtenWith(c: string, before: string, after: string): boolean {
  const cp = c.codePointAt(0) as number;
  switch (cp) {
    case 0x200c:
      return JOINING_LETTER(before) && JOINING_LETTER(after);
    case 0x200d:
      return (JOINING_LETTER(before) && JOINING_LETTER(after)) || (EMOJI_BEFORE_JOINER.test(before) && EMOJI.test(after));
    case 0x200b:
      return SPACELESS_LETTER(before) && SPACELESS_LETTER(after);
    case 0xfe0e:
    case 0xfe0f:
      return EMOJI.test(before) || HAN.test(before) || (cp === 0xfe0f && after === '\u20E3' && /^[0-9#*]$/.test(before));
    case 0x180b:
    case 0x180c:
    case 0x180d:
    case 0x180f:
      return MONGOLIAN.test(before) && LETTER.test(before);
    case 0x180e:
      return MONGOLIAN.test(before) && MONGOLIAN.test(after);
  }
  if ((cp >= 0xfe00 && cp <= 0xfe0d) || (cp >= 0xe0100 && cp <= 0xe01ef)) return HAN.test(before);
  if (isTag(cp)) return before === '\u{1F3F4}' || isTag(before.codePointAt(0) ?? 0);
  return false;
}

const PATTERNS = new Map<string, RegExp>();

/**
 * `text` with each hidden character that its context does not call for, and each letter that passes for a
 * Latin one inside a Latin word (see LOOKALIKE_SCRIPT), replaced by `mark(codePoint)`. `markStart` is how a
 * mark begins (`⟨U+`, `\u`): where the text itself holds that, its first character is marked too, so that
 * every mark shown is one and the text can be restored exactly from what is shown.
 */
export function markHidden(text: string, markStart: string, mark: (codePoint: number) => string): string {
  const lookalikes = lookalikesIn(text);
  const key = `${lookalikes.size > 0 ? 'L' : '-'}${markStart}`;
  let pattern = PATTERNS.get(key);
  if (pattern === undefined) {
    const esc = (s: string) => s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
    const letters = lookalikes.size > 0 ? `|${LOOKALIKE}` : '';
    pattern = new RegExp(`${CANDIDATE}|${esc(markStart.charAt(0))}(?=${esc(markStart.slice(1))})${letters}`, 'gu');
    PATTERNS.set(key, pattern);
  }
  // Where the last hidden character left as it is ends: one marked does not make the next one's context.
  let keptEnd = -1;
  return text.replace(pattern, (c: string, offset: number) => {
    if (c === markStart.charAt(0) && !LETTER.test(c)) return mark(c.codePointAt(0) as number);
    if (!isHiddenCharacter(c)) return lookalikes.has(offset) ? mark(c.codePointAt(0) as number) : c;
    let before = codePointBefore(text, offset);
    if (isHiddenCharacter(before) && keptEnd !== offset) before = '';
    const next = text.codePointAt(offset + c.length);
    if (!writtenWith(c, before, next === undefined ? '' : String.fromCodePoint(next))) return mark(c.codePointAt(0) as number);
    keptEnd = offset + c.length;
    return c;
  });
}

function codePointBefore(text: string, end: number): string {
  if (end === 0) return '';
  const low = text.charCodeAt(end - 1);
  const start =
    low >= 0xdc00 && low <= 0xdfff && end >= 2 && text.charCodeAt(end - 2) >= 0xd800 && text.charCodeAt(end - 2) <= 0xdbff
      ? end - 2
      : end - 1;
  return text.slice(start, end);
}
