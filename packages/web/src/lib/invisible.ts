import { isMarkableCharacter, markHidden } from '@gasgauge/reporter/invisible';

/**
 * A name a reporter or user chose, as the UI shows it: each character that would show nothing or reorder
 * what is around it (zero-width characters, soft hyphen, bidi controls: `@gasgauge/reporter/invisible` says
 * which, and where a script needs one raw) is shown as a visible `⟨U+200B⟩`, so two ids that differ only
 * by one never look the same, and `invoice\u202Efdp.exe` does not read `invoiceexe.pdf`. A `⟨` that begins
 * `⟨U+` in the text itself is shown as `⟨U+27E8⟩`, so every mark on the page is one.
 */
export function showInvisible(text: string): string {
  let shown = markHidden(text, '⟨U+', markOf);
  // What markHidden left of a look-alike letter is the letter itself (a mark is ASCII and ⟨⟩): mark each.
  if (passesForLatin(text)) shown = shown.replace(CONFUSABLE_LETTER, (c) => markOf(c.codePointAt(0) as number));
  return SPACE_CANDIDATE.test(shown) ? shown.replace(ODD_SPACE, (c) => markOf(c.codePointAt(0) as number)) : shown;
}

/**
 * Letters of Cyrillic, Greek, Armenian and Cherokee that a common sans-serif font draws as a Latin letter
 * (Unicode's confusables, UTS #39, narrowed to those that pass for one at a glance), with the letter each
 * passes for: Cyrillic асеһіјӏорԛѕԝхуԁѵ (acehijlopqswxydv) and АВСЕНІЈКМОРЅТХУҮԚԜӀѴ, Greek οινραυγϲϳ
 * (oivrpauycj) and ΑΒΕΖΗΙΚΜΝΟΡΤΥΧϹͿ, Armenian օսհոզցԼՍՕ (ouhnqgLUO), Cherokee ᎠᎡᎢᎪᎫᎬᏴᏔᎷᎻᎽᏀᏃᏒᏚᏟᏞᏢᏙᏦ.
 */
const CONFUSABLES = 'асеһіјӏорԛѕԝхуԁѵАВСЕНІЈКМОРЅТХУҮԚԜӀѴ' + 'οινραυγϲϳΑΒΕΖΗΙΚΜΝΟΡΤΥΧϹͿ' + 'օսհոզցԼՍՕ' + 'ᎠᎡᎢᎪᎫᎬᏴᏔᎷᎻᎽᏀᏃᏒᏚᏟᏞᏢᏙᏦ';
const CONFUSABLE_LETTER = new RegExp(`[${CONFUSABLES}]`, 'gu');
const HAS_CONFUSABLE = new RegExp(`[${CONFUSABLES}]`, 'u');
const LETTER = /\p{L}/gu;
const LATIN = /^\p{Script=Latin}$/u;
/** ASCII digits, punctuation and symbols: what an id like `polecat-1` or `crew_3` is made of besides letters. */
const ID_SHAPE = /[0-9\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]|\p{Script=Latin}/u;

/**
 * Whether a name written without one Latin-looking letter of its own passes for a Latin one as a whole:
 * every letter is Latin or a look-alike of one (CONFUSABLES), at least one is a look-alike, and the name
 * holds an ASCII digit or punctuation mark, or a Latin letter (`асе-1`, `сор_2`, `ХОР.io`, `асе polecat`, all
 * Cyrillic where a Latin letter seems to be). Then each look-alike is marked, as a look-alike inside a Latin
 * word already is (`@gasgauge/reporter/invisible`, which leaves a word wholly in one script alone).
 *
 * Not marked: a name of look-alike letters and spaces alone (`сор`, "litter", or `рох рое`). That is how a real
 * Russian (or Greek) word is written as a whole name; marking it would show a Russian user's own agent as
 * code points, and only another name beside it (`cop`) makes it a look-alike, which one name cannot tell.
 * The digits and punctuation are what make a name read as an id of this town (they are ASCII in every
 * script), so a name shaped like one and drawn wholly in Latin letters is taken to be meant as one. A word
 * with any letter that reads as its own script (`агент-7`, `Сергей-1`, `Ωμέγα 2`) is not a look-alike.
 * "Among Latin names" is left out as a test: every name the UI shows stands among Latin text (models,
 * statuses, other agents), so it would mark every such Russian word.
 */
function passesForLatin(name: string): boolean {
  if (!HAS_CONFUSABLE.test(name)) return false;
  for (const [c] of name.matchAll(LETTER)) if (!LATIN.test(c) && !CONFUSABLES.includes(c)) return false;
  return ID_SHAPE.test(name);
}

const markOf = (cp: number) => `⟨U+${cp.toString(16).toUpperCase().padStart(4, '0')}⟩`;

/**
 * Spaces and controls a page does not show as written, also marked: HTML folds a run of spaces, tabs and
 * newlines into one space and drops one at either end of a cell, a no-break space (or any other space)
 * looks like a space, and a control character (C0, C1) like nothing or a box alike for all of them. So
 * `polecat 1`, `polecat  1`, `polecat 1 `, `polecat\t1` and `polecat\u00A01` would be five agents that read
 * the same: each space but one plain U+0020 between two other characters is shown as its code point
 * (`polecat ⟨U+0020⟩1`). Here rather than in `markHidden`, which the CLI shares: a terminal shows spaces
 * as they are.
 */
const ODD_SPACE = /^ | $|(?<= ) |(?! )[\p{Zs}\p{Zl}\p{Zp}]|\p{Cc}/gu;
const SPACE_CANDIDATE = /[\p{Z}\p{Cc}]/u;
const SPACE_OR_CONTROL = /^[\p{Z}\p{Cc}]$/u;

const SHOWN = /⟨U\+([0-9A-F]{4,6})⟩/g;

/**
 * The text as the server has it, from what `showInvisible` made of it: for an id taken from an answer
 * that goes back to the server (a bead's link), never for showing.
 */
export function restoreInvisible(text: string): string {
  return text.replace(SHOWN, (shown, hex: string) => {
    const cp = Number.parseInt(hex, 16);
    if (cp > 0x10ffff) return shown;
    const c = String.fromCodePoint(cp);
    return c === '⟨' || isMarkableCharacter(c) || SPACE_OR_CONTROL.test(c) ? c : shown;
  });
}

/**
 * Every string and object key in an API answer with its invisible characters made visible: the one place
 * data from the server passes before the UI renders it, so no component can forget.
 */
export function showInvisibleDeep<T>(value: T): T {
  if (typeof value === 'string') return showInvisible(value) as T;
  if (Array.isArray(value)) {
    // Columns of numbers (timeseries) are most of what arrives: leave them as they are.
    return (
      value.some((v) => typeof v === 'string' || (v !== null && typeof v === 'object')) ? value.map(showInvisibleDeep) : value
    ) as T;
  }
  if (value !== null && typeof value === 'object') {
    // biome-ignore lint/plugin/no-string-keys: fromEntries defines own properties (never the __proto__ setter), and the server's answers key objects by fixed field names only
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [showInvisible(k), showInvisibleDeep(v)])) as T;
  }
  return value;
}
