import { useEffect, useRef, useState } from 'react';

/**
 * `value`, changing at most once per `everyMs`: the first change at once, later ones at the end of
 * the interval with the newest value (so the last push of a burst is never dropped, which a key of
 * `Math.floor(time / everyMs)` would do to a second push within the same interval).
 */
export function useThrottled<T>(value: T, everyMs: number): T {
  const [shown, setShown] = useState(value);
  const lastAt = useRef(Number.NEGATIVE_INFINITY);
  useEffect(() => {
    if (Object.is(value, shown)) return;
    const show = () => {
      lastAt.current = Date.now();
      setShown(value);
    };
    const wait = lastAt.current + everyMs - Date.now();
    if (wait <= 0) {
      show();
      return;
    }
    const timer = setTimeout(show, wait);
    return () => clearTimeout(timer);
  }, [value, shown, everyMs]);
  return shown;
}
