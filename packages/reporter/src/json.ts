/**
 * A JSON object from outside (a transcript line, an OpenCode event, a Gas Town event, a server
 * answer), read by fixed field names only: never indexed with a name from the data, never merged
 * with Object.assign (see lint/no-string-keys.grit).
 */
// biome-ignore lint/plugin/no-string-keys: read by fixed field names only
export type JsonFields = { readonly [field: string]: unknown };
