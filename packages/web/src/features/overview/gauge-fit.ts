import { type RefObject, useLayoutEffect } from 'react';

/**
 * The dial's geometry, in its viewBox's units (0 0 120 64, Gauge.tsx): the arc's centre is 58 units down,
 * and its 10-unit stroke around a radius of 50 leaves a hollow of radius 45.
 */
const VIEW_WIDTH = 120;
const CENTRE_Y = 58;
const HOLLOW_RADIUS = 45;
/** Room kept between the number and the arc's inner edge, in the dial's units. */
const CLEARANCE = 3;
/** Where a digit's top is below the top of the text's box, in ems (ascent less cap height, about 0.2 em in common fonts). */
export const CAP_TOP_EM = 0.2;
/** No number is set smaller than this, in CSS pixels. */
const MIN_FONT_PX = 9;

/**
 * How far from the dial's middle a line of text may reach at height `y` (CSS pixels, as `dialTop`) and stay
 * inside the hollow, with some clearance: the hollow is a half-disc, narrower the higher the line.
 */
export function hollowHalfWidth(dialWidth: number, dialTop: number, y: number): number {
  const unit = dialWidth / VIEW_WIDTH;
  const r = (HOLLOW_RADIUS - CLEARANCE) * unit;
  const above = dialTop + CENTRE_Y * unit - y;
  if (above <= 0) return r;
  return above >= r ? 0 : Math.sqrt(r * r - above * above);
}

/**
 * The font size that brings a text `halfWidth` wide (half of it, from the middle) within `room`, or null
 * when it fits as it is. A little under the exact ratio: a smaller text also sits a little higher, where the
 * hollow is narrower.
 */
export function fittedFontPx(fontPx: number, halfWidth: number, room: number): number | null {
  if (halfWidth <= room) return null;
  return Math.max(MIN_FONT_PX, Math.floor(((fontPx * room) / halfWidth) * 0.97 * 10) / 10);
}

/**
 * Sets the number's font size, before it is painted and on every resize of the dial, so that the top of
 * its digits stays inside the dial's hollow: a count of characters cannot tell ('+457 −150' fitted at a
 * laptop's width and ran under the arc on a phone; '+5B −4.44B' ran under it at both). The CSS size is the
 * largest; a longer text only gets smaller.
 */
export function useFitInHollow(number: RefObject<HTMLElement | null>, dial: RefObject<Element | null>, text: string): void {
  useLayoutEffect(() => {
    const el = number.current;
    const svg = dial.current;
    if (!el || !svg || text === '') return;
    const fit = () => {
      el.style.fontSize = '';
      const range = document.createRange();
      range.selectNodeContents(el);
      // A smaller text sits higher, where the hollow is narrower: measure again, a few times at most.
      for (let i = 0; i < 4; i++) {
        const box = range.getBoundingClientRect();
        const d = svg.getBoundingClientRect();
        const fontPx = Number.parseFloat(getComputedStyle(el).fontSize);
        if (!(box.width > 0 && d.width > 0 && fontPx > 0)) return;
        const next = fittedFontPx(fontPx, box.width / 2, hollowHalfWidth(d.width, d.top, box.top + CAP_TOP_EM * fontPx));
        if (next === null || next >= fontPx) return;
        el.style.fontSize = `${next}px`;
      }
    };
    fit();
    const observer = new ResizeObserver(fit);
    observer.observe(svg);
    return () => observer.disconnect();
  }, [number, dial, text]);
}

/**
 * The value arc's dash pattern on a path of length 100: a dash for the fraction, then a gap longer than the
 * path, so the pattern never starts again within it. With a gap of 100, a tiny value's second dash began at
 * 100 and some, which rounding drew as a dot at the scale's top end (0.067 tokens/s on a 10k scale showed a dot
 * at each end, as if it were full).
 */
export function arcDash(fraction: number): string {
  return `${fraction * 100} 200`;
}
