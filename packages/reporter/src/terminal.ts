import { markHidden } from './invisible.js';

/**
 * A line as the terminal should show it: control characters (but tab) spelled out (`\u001b`), and so are
 * the characters that show nothing or reorder what is around them (zero-width characters, soft hyphen,
 * bidi controls: `invisible.ts` says which, and where a script needs one raw), and a letter that passes for
 * a Latin one inside a Latin word (a Cyrillic о), as the web UI shows them. Lines carry text that others wrote: what users stored through the API (an ingest key's agent
 * id is any text), and what the reporter read from agents' files (a transcript's message id, a path); an
 * escape sequence printed raw would act on the operator's terminal (rewrite its title, clear it, or forge
 * what a command shows), and two agent ids that differ by a zero-width space would print alike. A
 * backslash that begins `\u` in the text itself is spelled `\u005c`, so every `\u` printed is one.
 * The server's CLI and the reporter print through it.
 */
export function shown(line: string): string {
  return markHidden(line, '\\u', spelled).replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
    /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g,
    (c) => spelled(c.charCodeAt(0)),
  );
}

const spelled = (cp: number): string => (cp > 0xffff ? `\\u{${cp.toString(16)}}` : `\\u${cp.toString(16).padStart(4, '0')}`);

/**
 * Columns a code point takes in a terminal, as wcwidth counts them: 0 for a combining mark, 2 for the East Asian
 * wide and fullwidth blocks (Hangul, CJK, kana, fullwidth forms) and emoji, 1 otherwise.
 */
function columnsOf(char: string): number {
  if (/^\p{M}$/u.test(char)) return 0;
  const c = char.codePointAt(0) ?? 0;
  const wide =
    (c >= 0x1100 && c <= 0x115f) ||
    (c >= 0x2e80 && c <= 0xa4cf && c !== 0x303f) ||
    (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0xfe30 && c <= 0xfe4f) ||
    (c >= 0xff00 && c <= 0xff60) ||
    (c >= 0xffe0 && c <= 0xffe6) ||
    (c >= 0x1f300 && c <= 0x1faff) ||
    (c >= 0x20000 && c <= 0x3fffd);
  return wide ? 2 : 1;
}

/** The longest start of `text` that fits in `columns` terminal columns, cut between code points. */
export function fitColumns(text: string, columns: number): string {
  let used = 0;
  let out = '';
  for (const char of text) {
    used += columnsOf(char);
    if (used > columns) break;
    out += char;
  }
  return out;
}
