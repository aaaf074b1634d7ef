/**
 * Times read from agents' files, as RFC 3339 with a zone: `YYYY-MM-DDTHH:MM:SS`, an optional fraction, then
 * `Z` or `±HH:MM`. Anything else is no time: a zone-less time read with `Date.parse` is local time, so the
 * same file would give other numbers on another machine, and `Date.parse` also takes `2026-02-30` (as
 * March 2) and free text. `fraction` bounds the digits after the seconds: ccusage 20.0.24 reads Claude
 * transcripts' times only with none or three; Codex, Gemini CLI and Gas Town (Go's RFC3339Nano) write up
 * to nine. Epoch milliseconds, or undefined.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

export function parseTimestamp(text: string, fraction: 'three' | 'any' = 'any'): number | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const n = (i: number) => Number(m[i] ?? 0);
  const [year, month, day, hour, minute, second] = [n(1), n(2), n(3), n(4), n(5), n(6)];
  const digits = m[7]?.length ?? 0;
  if (fraction === 'three' && digits !== 0 && digits !== 3) return undefined;
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || n(9) > 23 || n(10) > 59) return undefined;
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0–99 as 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, Math.floor(n(7) / 10 ** (digits - 3)));
  const offset = (m[8] === '-' ? -1 : 1) * (n(9) * 60 + n(10)) * 60_000;
  return date.getTime() - offset;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
