import type { RunningServer } from '@gasgauge/server';
import type { Page, Request, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, type OpenedPage, openPage } from './browser.js';
import { isDevelopmentBuild } from './build.js';
import { postJson, trpcInputs } from './helpers.js';
import { startTownServer } from './town-server.js';

/*
 * Refreshes never abort the request in flight. On the overview, every ingest pushes on `metrics.live`
 * and a push refreshes the lists (at most once a second): it aborted the request in flight, so on a
 * loaded server, where a page took longer than the time between pushes, the next page showed only once
 * pushes paused. On the charts, the auto-refresh that moves a preset range with now did the same to
 * answers slower than its interval. Answers are held back in the browser (the server's own are real).
 */
const HAS_CHROMIUM = chromiumAvailable();
/** The list requests' answers are held this long in the browser: longer than the time between pushes. */
const SLOW_MS = 1500;
/** The next page on screen after the click, at most: the slow answer plus time to render it on a loaded machine. */
const NEXT_PAGE_MS = SLOW_MS + 2500;

describe.skipIf(!HAS_CHROMIUM && !process.env.CI)('live refreshes with slow answers', () => {
  let server: RunningServer;
  let townId: string;
  let ingestToken: string;
  let browser: OpenedPage;
  let page: Page;

  beforeAll(async () => {
    const started = await startTownServer('gg-web-paging-', 'Busy Town');
    ({ server, townId } = started);
    const admin = started.admin;
    ingestToken = started.ingestToken;
    const at = Date.now();
    const crew = Array.from({ length: 250 }, (_, i) => ({
      id: `crew-ev-${i}`,
      at,
      type: 'agent',
      agentId: `crew-${String(i).padStart(3, '0')}`,
      status: 'working',
      beadId: `gt-${i}`,
    }));
    await postJson(`${server.url}/api/towns/${townId}/events`, ingestToken, { events: crew });
    browser = await openPage({ signIn: { url: server.url, token: admin } });
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('serves the UI as a production build (timings of the development build mean nothing)', () => {
    expect(isDevelopmentBuild()).toBe(false);
  });

  it('shows each next page with one request per click and none aborted, while ingest runs and answers are slow', async () => {
    let ingesting = true;
    let sent = 0;
    const ingest = (async () => {
      while (ingesting) {
        await postJson(`${server.url}/api/towns/${townId}/usage`, ingestToken, {
          records: [
            {
              id: `u-${sent}`,
              agentId: `crew-${String(sent % 250).padStart(3, '0')}`,
              model: 'claude-sonnet-4-5',
              inputTokens: 1000,
              outputTokens: 100,
              costMicrodollars: 3000,
              at: Date.now(),
            },
          ],
        });
        sent++;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    /** The limits of list requests that failed (aborted by the page). */
    const aborted: number[] = [];
    const agentsLimits: number[] = [];
    const onFailed = (r: Request) => {
      aborted.push(...trpcInputs<{ limit: number }>(r.url(), 'metrics.agents').map((q) => q.limit));
    };
    const onRequest = (r: Request) => {
      agentsLimits.push(...trpcInputs<{ limit: number }>(r.url(), 'metrics.agents').map((q) => q.limit));
    };
    // A loaded server or a slow link: the agents list's answers arrive SLOW_MS late (the server's own is real).
    const slow = async (route: Route) => {
      const res = await route.fetch().catch(() => undefined);
      await new Promise((r) => setTimeout(r, SLOW_MS));
      await (res ? route.fulfill({ response: res }) : route.abort()).catch(() => {}); // the page may have aborted it
    };
    try {
      await page.goto(`${server.url}/towns/${townId}`);
      const rows = page.locator('table.agents tbody tr');
      await expect.poll(() => rows.count()).toBe(100);
      await page.locator('[data-live="live"]').waitFor();
      page.on('requestfailed', onFailed);
      page.on('request', onRequest);
      await page.route((u) => u.pathname.startsWith('/trpc/') && u.pathname.includes('metrics.agents'), slow);
      const timings: number[] = [];
      for (const [limit, shown] of [
        [200, 200],
        [300, 250],
      ] as const) {
        const before = agentsLimits.length;
        const clicked = performance.now();
        await page.getByRole('button', { name: 'Show more agents' }).click();
        await page.waitForFunction((n) => document.querySelectorAll('table.agents tbody tr').length === n, shown, {
          timeout: 15_000,
        });
        timings.push(Math.round(performance.now() - clicked));
        // The click's request was never aborted (a later click may abort a refresh of this page)...
        expect(aborted.filter((l) => l === limit)).toEqual([]);
        // ...and asked once, plus at most one refresh that waited for it: pushes never restart it.
        const asked = agentsLimits.slice(before).filter((l) => l === limit).length;
        expect(asked).toBeGreaterThanOrEqual(1);
        expect(asked).toBeLessThanOrEqual(2);
      }
      console.log(
        `next page shown ${timings.join(' ms, ')} ms after the click (answers held ${SLOW_MS} ms), ${sent} ingests meanwhile`,
      );
      for (const ms of timings) expect(ms).toBeLessThan(NEXT_PAGE_MS);
    } finally {
      ingesting = false;
      await ingest;
      await page.unrouteAll({ behavior: 'ignoreErrors' });
      page.off('requestfailed', onFailed);
      page.off('request', onRequest);
    }
  });

  it('keeps the charts answering while each answer takes longer than the auto-refresh: none aborted', async () => {
    // The 1-hour preset moves with now every 5 s (5 s buckets); answers held 6 s outlast each move.
    const held = 6000;
    await page.goto(`${server.url}/towns/${townId}/observability?range=1h`);
    await page.waitForFunction(() => performance.getEntriesByName('charts-drawn').length > 0, undefined, { timeout: 30_000 });
    const charts = (r: Request) => /metrics\.(timeseries|breakdown)/.test(new URL(r.url()).pathname);
    const aborted: string[] = [];
    let answered = 0;
    const onFailed = (r: Request) => {
      if (charts(r)) aborted.push(r.url());
    };
    const onFinished = (r: Request) => {
      if (charts(r)) answered++;
    };
    page.on('requestfailed', onFailed);
    page.on('requestfinished', onFinished);
    await page.route(
      (u) => /metrics\.(timeseries|breakdown)/.test(u.pathname),
      async (route) => {
        const res = await route.fetch().catch(() => undefined);
        await new Promise((r) => setTimeout(r, held));
        await (res ? route.fulfill({ response: res }) : route.abort()).catch(() => {});
      },
    );
    try {
      await page.waitForTimeout(3 * held);
      expect(aborted).toEqual([]);
      expect(answered).toBeGreaterThanOrEqual(2);
    } finally {
      await page.unrouteAll({ behavior: 'ignoreErrors' });
      page.off('requestfailed', onFailed);
      page.off('requestfinished', onFinished);
    }
  }, 60_000);
});
