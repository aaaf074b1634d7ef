import { type RefObject, useLayoutEffect, useState } from 'react';

/**
 * The width in CSS pixels of the first chart's plot inside `grid`, in 20 px steps (so a resize of a
 * few pixels does not refetch). It sets maxPoints: about one bucket per pixel.
 */
export function usePlotWidth(grid: RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const el = grid.current;
    if (!el) return;
    const measure = () => {
      const plot = el.querySelector('.chart-plot');
      // The y axis takes about 60 px of the chart's width.
      const w = plot ? Math.max(100, plot.clientWidth - 60) : 0;
      setWidth(Math.round(w / 20) * 20);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [grid]);
  return width;
}
