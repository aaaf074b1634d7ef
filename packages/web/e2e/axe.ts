import axe from 'axe-core';
import type { Page } from 'playwright-core';

/** What fails an audit: axe's two highest impacts (minor and moderate are reviewed by hand). */
const FAILING = new Set(['serious', 'critical']);

export interface AxeFinding {
  rule: string;
  impact: string;
  help: string;
  /** Each failing element's selector, and axe's summary of why (colours and ratio for contrast). */
  nodes: string[];
}

/**
 * Runs axe-core on the page as it is now and returns its serious and critical violations. axe is
 * evaluated over the DevTools protocol, not added as a script tag, so the app's Content-Security-Policy
 * stays as strict as in production. Finite animations (a theme's colour transition) are finished first, so contrast is measured on final colours.
 */
export async function auditPage(page: Page): Promise<AxeFinding[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source);
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((a) => a.effect?.getComputedTiming().endTime !== Number.POSITIVE_INFINITY)
        .map((a) => a.finished.catch(() => undefined)),
    ),
  );
  const results = await page.evaluate(() =>
    (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ['violations'] }),
  );
  return results.violations
    .filter((v) => FAILING.has(v.impact ?? ''))
    .map((v) => ({
      rule: v.id,
      impact: v.impact ?? '',
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(1).join(' ').trim() ?? ''}`),
    }));
}
