const isAlnum = (c: string | undefined) => c !== undefined && /[A-Za-z0-9]/.test(c);

/**
 * Whether `key` occurs in `text` as a whole model name: bounded by non-alphanumerics, and not followed by
 * another version number (claude-opus-4 must not price claude-opus-4-5), though a date suffix
 * (claude-opus-4-20250514) is the same model.
 */
function containsModelKey(text: string, key: string): boolean {
  for (let i = text.indexOf(key); i >= 0; i = text.indexOf(key, i + 1)) {
    if (isAlnum(text[i - 1])) continue;
    const rest = text.slice(i + key.length);
    if (rest === '') return true;
    if (isAlnum(rest[0])) continue;
    const version = /^[-.](\d+)([^A-Za-z0-9]|$)/.exec(rest);
    if (version && /\d$/.test(key) && (version[1] as string).length !== 8) continue;
    return true;
  }
  return false;
}

/**
 * ccusage's model lookup over a price table: the exact name, then equal with `.`/`@` as `-`, then the longest
 * listed name found in the model name or containing it, as a whole name (containsModelKey).
 */
export function matchModel<T>(prices: ReadonlyMap<string, T>, model: string): T | undefined {
  const exact = prices.get(model);
  if (exact) return exact;
  const normalized = model.replace(/[.@]/g, '-');
  let best: string | undefined;
  for (const key of prices.keys()) {
    const k = key.replace(/[.@]/g, '-');
    if (k === normalized) return prices.get(key);
    if (!containsModelKey(normalized, k) && !containsModelKey(k, normalized)) continue;
    if (best === undefined || key.length > best.length || (key.length === best.length && key < best)) best = key;
  }
  return best === undefined ? undefined : prices.get(best);
}

/**
 * Model names whose lookup is remembered (each lookup of a name the list lacks walks the whole list). The names
 * come from transcripts, so a tree of made-up ones must not grow the memory: past this, the oldest is looked up again.
 */
export const MAX_MATCHED_MODELS = 4096;
