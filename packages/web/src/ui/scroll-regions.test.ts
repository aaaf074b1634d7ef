import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * A guard for keyboard access: every box that can scroll is a ScrollRegion (focusable, named). It scans
 * the sources: each selector a stylesheet lets scroll (overflow auto or scroll) must be a class that
 * only ScrollRegion elements carry, or `pre`, which only ScrollRegion renders (`as="pre"`).
 */
const SRC = fileURLToPath(new URL('..', import.meta.url));

function files(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name), ext) : e.name.endsWith(ext) ? [join(dir, e.name)] : [],
  );
}

/** Selectors of the rules that set overflow to auto or scroll. */
function scrollingSelectors(css: string): string[] {
  return [...css.replace(/\/\*[\s\S]*?\*\//g, '').matchAll(/([^{}]+)\{([^}]*)\}/g)]
    .filter((m) => /overflow(-[xy])?\s*:\s*(auto|scroll)/.test(m[2] as string))
    .flatMap((m) => (m[1] as string).split(',').map((s) => s.trim()));
}

describe('scrolling boxes', () => {
  const tsx = files(SRC, '.tsx').map((f) => ({ f, text: readFileSync(f, 'utf8') }));
  const selectors = files(SRC, '.css').flatMap((f) => scrollingSelectors(readFileSync(f, 'utf8')));

  it('are found in the stylesheets', () => {
    expect(selectors).toEqual(expect.arrayContaining(['pre', '.table-scroll', '.feed-scroll']));
  });

  it('are only ever ScrollRegions', () => {
    const offenders: string[] = [];
    for (const selector of selectors) {
      if (selector === 'pre') {
        for (const { f, text } of tsx) if (/<pre[\s>]/.test(text)) offenders.push(`${f}: a raw <pre>`);
        continue;
      }
      const cls = /^\.([\w-]+)$/.exec(selector)?.[1];
      if (!cls) {
        offenders.push(`${selector}: scrolls, but is not a plain class a ScrollRegion can carry`);
        continue;
      }
      for (const { f, text } of tsx) {
        for (const m of text.matchAll(new RegExp(`<(\\w+)[^>]*className="([^"]*\\s)?${cls}(\\s[^"]*)?"`, 'g'))) {
          if (m[1] !== 'ScrollRegion') offenders.push(`${f}: <${m[1]} className="…${cls}…">`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
