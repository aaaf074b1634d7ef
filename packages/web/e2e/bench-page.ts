import type { Page } from 'playwright-core';

/** What the observability page should do with 7 days of 5 s data (DESIGN.md: uPlot draws 100k points in ~25 ms). */
export const PAGE_TARGETS = { chartsDrawnMs: 300, zoomRedrawMs: 16 } as const;

export interface PageBenchResult {
  /** Navigation start to the page's `charts-drawn` mark (every chart drawn with data), per load. */
  chartsDrawnMs: number[];
  /** A drag-zoom until every chart has redrawn from the data it has (the `zoom-redraw` measure), per zoom. */
  zoomRedrawMs: number[];
  /** maxPoints the page asked for (about one bucket per plot pixel). */
  maxPoints: number | undefined;
}

/** Signs a browser in through the /login form (the session cookie is HttpOnly; the token never reaches page script). */
export async function signIn(page: Page, baseUrl: string, userToken: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.fill('#token', userToken);
  await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.click('button[type=submit]')]);
}

/**
 * Measures the observability page of `townId` (which should hold 7 days of 5 s data) in a signed-in
 * page: `loads` navigations to the 7-day preset, and `zooms` drag-zooms of a third of the first chart
 * (each followed by Back, which restores the 7-day range). The page sets the marks itself
 * (features/observability/chart-group.ts), so only its own work is timed, not the harness.
 */
export async function benchObservabilityPage(
  page: Page,
  opts: { baseUrl: string; townId: string; loads?: number; zooms?: number },
): Promise<PageBenchResult> {
  const url = `${opts.baseUrl}/towns/${opts.townId}/observability?range=7d`;
  const result: PageBenchResult = { chartsDrawnMs: [], zoomRedrawMs: [], maxPoints: undefined };
  let maxPoints: number | undefined;
  const onRequest = (r: { url(): string }) => {
    const m = decodeURIComponent(r.url()).match(/"maxPoints":(\d+)/);
    if (m && r.url().includes('metrics.timeseries') && maxPoints === undefined) maxPoints = Number(m[1]);
  };
  page.on('request', onRequest);
  try {
    for (let i = 0; i < (opts.loads ?? 5); i++) {
      await page.goto(url);
      result.chartsDrawnMs.push(await waitForMark(page, 'charts-drawn'));
    }
    for (let i = 0; i < (opts.zooms ?? 5); i++) {
      await settled(page);
      await page.evaluate(() => performance.clearMeasures('zoom-redraw'));
      const box = await page.locator('.chart').first().locator('.u-over').boundingBox();
      if (!box) throw new Error('no chart on the page');
      const y = box.y + box.height / 2;
      await page.mouse.move(box.x + box.width * 0.5, y);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.65, y, { steps: 3 });
      await page.mouse.move(box.x + box.width * 0.8, y, { steps: 3 });
      await page.mouse.up();
      await page.waitForFunction(() => performance.getEntriesByName('zoom-redraw').length > 0);
      result.zoomRedrawMs.push(await page.evaluate(() => performance.getEntriesByName('zoom-redraw')[0]?.duration ?? Number.NaN));
      await page.goBack();
      await page.waitForURL(/range=7d$/);
    }
  } finally {
    page.off('request', onRequest);
  }
  result.maxPoints = maxPoints;
  return result;
}

/** A mark's time since navigation start (performance.timeOrigin), waiting until the page sets it. */
async function waitForMark(page: Page, name: string): Promise<number> {
  const handle = await page.waitForFunction((n) => performance.getEntriesByName(n)[0]?.startTime, name, { timeout: 30_000 });
  return (await handle.jsonValue()) as number;
}

/** No chart data request in flight. */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => !document.querySelector('.charts[aria-busy="true"]'));
}
