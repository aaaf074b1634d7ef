/**
 * A JSON object the code itself wrote (an alert's or a budget event's details), read by fixed field
 * names only. Never index it with a name from data (see lint/no-string-keys.grit).
 */
// biome-ignore lint/plugin/no-string-keys: read by fixed field names only
export type JsonFields = { readonly [field: string]: unknown };
