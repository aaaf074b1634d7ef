/**
 * A JSON object from outside (a transcript line, an OpenCode event, a Gas Town event, a server
 * answer), read by fixed field names only: never indexed with a name from the data, never merged
 * with Object.assign (see lint/no-string-keys.grit).
 */
// biome-ignore lint/plugin/no-string-keys: read by fixed field names only
export type JsonFields = { readonly [field: string]: unknown };

/** A JSON object (not an array, not null): its fields can be read by name. */
export function isJsonObject(v: unknown): v is JsonFields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value of a JSON text, or undefined when the text is not JSON (a malformed line). */
export function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}
