import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/*
 * The colour tokens (styles.css) against WCAG AA without a browser: text tokens reach 4.5:1 on every
 * surface, and each tone also on a tint of itself (badges: color-mix 15–18 %, the soft tokens, the
 * active tab) over any surface, in both themes. The axe-core audit (e2e/a11y.test.ts) checks the pages; this
 * catches a token change before any page is built.
 */
const CSS = readFileSync(new URL('./styles.css', import.meta.url), 'utf8');
/** Text on a tint of itself (badges, the active tab). */
const TONES = ['accent', 'ok', 'warn', 'danger'] as const;
/** Text straight on a surface (a default badge is muted on surface-2). */
const PLAIN = ['text', 'muted', 'accent', 'ok', 'warn', 'danger'] as const;
const SURFACES = ['bg', 'surface', 'surface-2'] as const;
/** The strongest tint a badge puts behind its own tone. */
const TINT = 0.18;

function tokens(selector: string): Map<string, string> {
  const start = CSS.indexOf(`${selector} {`);
  const block = CSS.slice(start, CSS.indexOf('}', start));
  return new Map([...block.matchAll(/--([\w-]+):\s*(#[0-9a-f]{6})\s*;/gi)].map((m) => [m[1] as string, m[2] as string]));
}

const rgb = (hex: string) => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255);
const luminance = (c: number[]) => {
  const [r, g, b] = c.map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
const contrast = (a: number[], b: number[]) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
};

describe('colour tokens', () => {
  const light = tokens(':root');
  const themes = { light, dark: new Map([...light, ...tokens(':root[data-theme="dark"]')]) };
  for (const [theme, t] of Object.entries(themes)) {
    it(`keep every tone at 4.5:1 on its own tint over every surface, ${theme} theme`, () => {
      const failures: string[] = [];
      for (const tone of TONES) {
        const fg = rgb(t.get(tone) as string);
        for (const surface of SURFACES) {
          const bg = rgb(t.get(surface) as string);
          const tinted = bg.map((v, i) => (fg[i] as number) * TINT + v * (1 - TINT));
          const ratio = contrast(fg, tinted);
          if (ratio < 4.5) failures.push(`--${tone} on a ${TINT * 100} % tint over --${surface}: ${ratio.toFixed(2)}`);
        }
      }
      expect(failures).toEqual([]);
    });
    it(`keep text at 4.5:1 on every surface, ${theme} theme`, () => {
      const failures: string[] = [];
      for (const tone of PLAIN) {
        for (const surface of SURFACES) {
          const ratio = contrast(rgb(t.get(tone) as string), rgb(t.get(surface) as string));
          if (ratio < 4.5) failures.push(`--${tone} on --${surface}: ${ratio.toFixed(2)}`);
        }
      }
      expect(failures).toEqual([]);
    });
  }
});
