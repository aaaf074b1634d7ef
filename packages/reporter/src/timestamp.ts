/**
 * Times read from agents' files, as RFC 3339 with a zone: `YYYY-MM-DDTHH:MM:SS`, an optional fraction, then
 * `Z` or `±HH:MM`. Anything else is no time: a zone-less time read with `Date.parse` is local time, so the
 * same file would give other numbers on another machine, and `Date.parse` also takes `2026-02-30` (as
 * March 2) and free text. `fraction` bounds the digits after the seconds: ccusage 20.0.24 reads Claude
 * transcripts' times only with none or three; Codex, Gemini CLI and Gas Town (Go's RFC3339Nano) write up
 * to nine. Epoch milliseconds, or undefined.
 */
const DATE_TIME = String.raw`^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d`;
const ZONE = String.raw`(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$`;
const ANY_FRACTION = new RegExp(`${DATE_TIME}(?:\\.\\d{1,9})?${ZONE}`);
const THREE_DIGITS = new RegExp(`${DATE_TIME}(?:\\.\\d{3})?${ZONE}`);

export function parseTimestamp(text: string, fraction: 'three' | 'any' = 'any'): number | undefined {
  if (!(fraction === 'three' ? THREE_DIGITS : ANY_FRACTION).test(text)) return undefined;
  // The pattern bounds each field; Date.parse reads the checked text (ISO: no local time, years as written)
  // but rolls a day past the month's end over, so that is checked here.
  const digit = (i: number) => text.charCodeAt(i) - 48;
  const year = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3);
  if (digit(8) * 10 + digit(9) > daysIn(year, digit(5) * 10 + digit(6))) return undefined;
  // biome-ignore lint/plugin/no-date-parse: the text matched the zoned RFC 3339 pattern and its day exists
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : at;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
