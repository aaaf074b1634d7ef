/** Dollar amounts as people type them in forms, and back: exact microdollars, no floating point. */
const MICRO = 1_000_000;
/** Dollars as typed (`12`, `0.5`, `1234.123456`): at most six decimals, so microdollars stay exact. */
const USD = /^\s*\$?\s*(\d{1,9})(?:\.(\d{1,6}))?\s*$/;

/** Microdollars from dollars as typed, or null when it is not a plain amount. */
export function parseUsd(text: string): number | null {
  const m = USD.exec(text);
  if (!m) return null;
  return Number(m[1]) * MICRO + Number((m[2] ?? '').padEnd(6, '0'));
}

/** Microdollars as a plain dollar amount a person can edit (1.5, 0.000001). */
export function usdText(microdollars: number): string {
  // Forms hold no negative amount (parseUsd refuses one), but one written here reads as typed, never "-2.-5".
  if (microdollars < 0) return `-${usdText(-microdollars)}`;
  const whole = Math.floor(microdollars / MICRO);
  const frac = String(microdollars % MICRO)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : String(whole);
}
