import {
  CONFUSABLE_LETTER,
  drawnInLatin,
  idShaped,
  isMarkableCharacter,
  markHidden,
  passesForLatin,
  skeleton,
} from '@gasgauge/reporter/invisible';

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
  // A whole name passes for Latin (`асе polecat`: markHidden judges each run between spaces), or reads as
  // another of the answer: what markHidden left of a look-alike letter is the letter itself (a mark is ASCII and ⟨⟩).
  if (passesForLatin(text) || beside.has(text))
    shown = shown.replace(CONFUSABLE_LETTER, (c) => markOf(c.codePointAt(0) as number));
  return SPACE_CANDIDATE.test(shown) ? shown.replace(ODD_SPACE, (c) => markOf(c.codePointAt(0) as number)) : shown;
}

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
    if (drawnInLatin(text) && !idShaped(text)) {
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
