/**
 * A count and its noun, agreeing: `plural(1, 'record')` is "1 record", `plural(3, 'record')` "3 records",
 * `plural(2, 'entry', 'entries')`. The count may be a number or its text as shown (`formatCount`'s "1.2k"); only
 * a count that reads "1" takes the singular. The reporter (packages/reporter/src/plural.ts) and the web UI
 * (packages/web/src/lib/format.ts) hold the same function, as they import no core at run time;
 * lint/counted-nouns.test.ts checks that they agree and that no output writes "3 record(s)" or "1 records".
 */
export function plural(count: number | string, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${String(count) === '1' ? singular : pluralForm}`;
}
