import { isMarkableCharacter, markHidden } from '@gasgauge/reporter/invisible';

/**
 * A name a reporter or user chose, as the UI shows it: each character that would show nothing or reorder
 * what is around it (zero-width characters, soft hyphen, bidi controls: `@gasgauge/reporter/invisible` says
 * which, and where a script needs one raw) is shown as a visible `⟨U+200B⟩`, so two ids that differ only
 * by one never look the same, and `invoice\u202Efdp.exe` does not read `invoiceexe.pdf`. A `⟨` that begins
 * `⟨U+` in the text itself is shown as `⟨U+27E8⟩`, so every mark on the page is one.
 */
export function showInvisible(text: string): string {
  const shown = markHidden(text, '⟨U+', markOf);
  return SPACE_CANDIDATE.test(shown) ? shown.replace(ODD_SPACE, (c) => markOf(c.codePointAt(0) as number)) : shown;
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
