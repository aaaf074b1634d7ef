import { containsModelKey } from '../claude/pricing.js';

/**
 * ccusage's model lookup over a price table: the exact name, then with `.`/`@` as `-`, then the longest
 * listed name found in the model name or containing it, as a whole name (claude/pricing.ts has the rule).
 */
export function matchModel<T>(prices: ReadonlyMap<string, T>, model: string): T | undefined {
  const exact = prices.get(model);
  if (exact) return exact;
  const normalized = model.replace(/[.@]/g, '-');
  let best: string | undefined;
  for (const key of prices.keys()) {
    const k = key.replace(/[.@]/g, '-');
    if (!containsModelKey(normalized, k) && !containsModelKey(k, normalized)) continue;
    if (best === undefined || key.length > best.length || (key.length === best.length && key < best)) best = key;
  }
  return best === undefined ? undefined : prices.get(best);
}
