import { useEffect, useState } from 'react';

/** The wall clock, re-read every `everyMs`: for "12 s ago" labels that keep counting between pushes. */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
