import { useEffect, useState } from 'react';
import { type RangeSpec, resolveRange } from '../../lib/range.js';

/**
 * The concrete [from, to) of the page's range. A preset is resolved against now when the range is
 * chosen and, while `follow` is on, again every `everyMs` (auto-refresh); an absolute range never moves.
 */
export function useResolvedRange(spec: RangeSpec, follow: boolean, everyMs: number): { from: number; to: number } {
  const key = spec.kind === 'absolute' ? `a:${spec.from}:${spec.to}` : `p:${spec.preset}`;
  const [clock, setClock] = useState(() => ({ key, now: Date.now() }));
  const stale = clock.key !== key;
  // A new range starts from a fresh now (derived state, set during render).
  if (stale) setClock({ key, now: Date.now() });
  useEffect(() => {
    if (!follow) return;
    const timer = setInterval(() => setClock({ key, now: Date.now() }), everyMs);
    return () => clearInterval(timer);
  }, [key, follow, everyMs]);
  return resolveRange(spec, stale ? Date.now() : clock.now);
}
