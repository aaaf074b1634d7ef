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

/**
 * Values (objects, arrays and commas, plus one) a JSON text may hold. Parsing costs memory and time per
 * value, not per byte: a 60 MB chat file of nested `[` took 3 GB and 28 s, 38 MB of object keys 680 MB
 * and 10 s. At this bound the worst text costs about 350 MB and 5 s once; real transcript lines and chat
 * files hold far fewer (their bytes are mostly text).
 */
export const MAX_JSON_VALUES = 2_000_000;
/** A shorter text cannot reach MAX_JSON_VALUES (a value takes at least one character), so it is not scanned. */
const SCAN_FROM_CHARS = MAX_JSON_VALUES;

/**
 * The values of a JSON text (objects, arrays and commas outside strings, plus one), counted without
 * parsing it, up to `stopAfter` (a bigger count is reported as stopAfter + 1).
 */
export function countJsonValues(text: string, stopAfter = MAX_JSON_VALUES): number {
  let values = 1;
  let inString = false;
  for (let i = 0; i < text.length && values <= stopAfter; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x2c || c === 0x5b || c === 0x7b) values++; // , [ {
  }
  return values;
}

/**
 * The value of a JSON text, or undefined when the text is not JSON (a malformed line), or holds more
 * than MAX_JSON_VALUES values (counted as malformed alike: agents' files are anyone's to write).
 */
export function parseJson(text: string): { value: unknown } | undefined {
  if (text.length > SCAN_FROM_CHARS && countJsonValues(text) > MAX_JSON_VALUES) return undefined;
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/**
 * Whether a parsed JSON value nests arrays and objects deeper than `limit` (a scalar is 0, `{}` is 1),
 * found with an explicit stack: JSON.parse takes any depth, but a recursive walk of what it gives
 * (JSON.stringify, structuredClone) overflows the stack a few thousand levels down.
 */
export function jsonDepthOver(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [v, above] = top;
    if (v === null || typeof v !== 'object') continue;
    if (above + 1 > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v))
      if (child !== null && typeof child === 'object') stack.push([child, above + 1]);
  }
  return false;
}
