import { isMarkableCharacter, markHidden } from '@gasgauge/reporter/invisible';

/**
 * A name a reporter or user chose, as the UI shows it: each character that would show nothing or reorder
 * what is around it (zero-width characters, soft hyphen, bidi controls: `@gasgauge/reporter/invisible` says
 * which, and where a script needs one raw) is shown as a visible `⟨U+200B⟩`, so two ids that differ only
 * by one never look the same, and `invoice\u202Efdp.exe` does not read `invoiceexe.pdf`. A `⟨` that begins
 * `⟨U+` in the text itself is shown as `⟨U+27E8⟩`, so every mark on the page is one.
 */
export function showInvisible(text: string): string {
  return show(text, NONE);
}

/** showInvisible, marking the look-alike letters of `text` also when it is one of `beside` (readsAsAnother). */
function show(text: string, beside: ReadonlySet<string>): string {
  let shown = markHidden(text, '⟨U+', markOf);
  // What markHidden left of a look-alike letter is the letter itself (a mark is ASCII and ⟨⟩): mark each.
  if (passesForLatin(text) || beside.has(text))
    shown = shown.replace(CONFUSABLE_LETTER, (c) => markOf(c.codePointAt(0) as number));
  return SPACE_CANDIDATE.test(shown) ? shown.replace(ODD_SPACE, (c) => markOf(c.codePointAt(0) as number)) : shown;
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
const CONFUSABLE_LETTER = new RegExp(`[${CONFUSABLES}]`, 'gu');
const HAS_CONFUSABLE = new RegExp(`[${CONFUSABLES}]`, 'u');
const LETTER = /\p{L}/gu;
const LATIN = /^\p{Script=Latin}$/u;
/** ASCII digits, punctuation and symbols: what an id like `polecat-1` or `crew_3` is made of besides letters. */
const ID_SHAPE = /[0-9\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]|\p{Script=Latin}/u;

/**
 * Whether a name written without one Latin-looking letter of its own passes for a Latin one as a whole:
 * it is drawn in Latin (every letter Latin or a look-alike, CONFUSABLES, and one a look-alike) and holds an
 * ASCII digit or punctuation mark, or a Latin letter (`асе-1`, `сор_2`, `ХОР.io`, `асе polecat`, all
 * Cyrillic where a Latin letter seems to be). Then each look-alike is marked, as a look-alike inside a Latin
 * word already is (`@gasgauge/reporter/invisible`, which leaves a word wholly in one script alone).
 *
 * Not by itself: a name of look-alike letters and spaces alone (`сор`, "litter", or `рох рое`). That is how a
 * real Russian (or Greek) word is written as a whole name, and marking it everywhere would show a Russian
 * user's own agent as code points; what makes it a look-alike is a Latin name beside it that it reads as
 * (`cop`), so it is marked where one stands in the same answer (`showInvisibleDeep`: the agents of a town,
 * one page of the feed). The digits and punctuation are what make a name read as an id of this town (they
 * are ASCII in every script), so a name shaped like one and drawn in Latin is taken to be meant as one. A
 * word with any letter that reads as its own script (`агент-7`, `Сергей-1`, `Ωμέγα 2`) is no look-alike.
 */
function passesForLatin(name: string): boolean {
  return drawnInLatin(name) && ID_SHAPE.test(name);
}

function drawnInLatin(name: string): boolean {
  if (!HAS_CONFUSABLE.test(name)) return false;
  for (const [c] of name.matchAll(LETTER)) if (!LATIN.test(c) && !LATIN_OF.has(c)) return false;
  return true;
}

/** The text with each look-alike letter as the Latin one it passes for (`сор` → `cop`). */
const skeleton = (text: string) => text.replace(CONFUSABLE_LETTER, (c) => LATIN_OF.get(c) as string);

const NONE: ReadonlySet<string> = new Set();

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
  return showDeep(value, readsAsAnother(value));
}

function showDeep<T>(value: T, beside: ReadonlySet<string>): T {
  if (typeof value === 'string') return show(value, beside) as T;
  if (Array.isArray(value)) {
    // Columns of numbers (timeseries) are most of what arrives: leave them as they are.
    return (
      value.some((v) => typeof v === 'string' || (v !== null && typeof v === 'object'))
        ? value.map((v) => showDeep(v, beside))
        : value
    ) as T;
  }
  if (value !== null && typeof value === 'object') {
    // biome-ignore lint/plugin/no-string-keys: fromEntries defines own properties (never the __proto__ setter), and the server's answers key objects by fixed field names only
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [show(k, beside), showDeep(v, beside)])) as T;
  }
  return value;
}

/**
 * The names in an answer, drawn in Latin look-alikes (`сор`), that read as another string of the same
 * answer (`cop`, or `соp`): each is marked where it is shown (see passesForLatin). Empty, after one
 * regular-expression test a string, for an answer without a look-alike letter.
 */
function readsAsAnother(value: unknown): ReadonlySet<string> {
  const candidates = new Map<string, string[]>();
  eachString(value, (text) => {
    if (drawnInLatin(text) && !ID_SHAPE.test(text)) {
      const key = skeleton(text);
      const same = candidates.get(key);
      if (same === undefined) candidates.set(key, [text]);
      else if (!same.includes(text)) same.push(text);
    }
  });
  if (candidates.size === 0) return NONE;
  const marked = new Set<string>();
  for (const same of candidates.values()) if (same.length > 1) for (const name of same) marked.add(name);
  const lengths = new Set([...candidates.keys()].map((k) => k.length));
  eachString(value, (text) => {
    if (!lengths.has(text.length)) return;
    const same = candidates.get(skeleton(text));
    if (same && !same.includes(text)) for (const c of same) marked.add(c);
  });
  return marked;
}

function eachString(value: unknown, visit: (s: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) {
    for (const v of value) if (typeof v === 'string' || (v !== null && typeof v === 'object')) eachString(v, visit);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      visit(k);
      eachString(v, visit);
    }
  }
}
