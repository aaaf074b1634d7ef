/**
 * A count and its noun, agreeing: "1 record", "3 records", `plural(2, 'entry', 'entries')`. The same function as
 * the core's (packages/core/src/plural.ts), which the reporter does not import at run time.
 */
export function plural(count: number | string, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${String(count) === '1' ? singular : pluralForm}`;
}

/** A whole number's digits in groups of three, as the web UI writes them: "1,048,576" (no Intl formatter built). */
export function groupDigits(n: number | bigint | string): string {
  return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
}
