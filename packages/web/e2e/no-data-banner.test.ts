import type { RunningServer } from '@gasgauge/server';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, type OpenedPage, openPage } from './browser.js';
import { postJson } from './helpers.js';
import { startTownServer } from './town-server.js';

/*
 * An empty town's Observability page says where to start (a banner linking its Overview's reporter
 * commands and its Settings' ingest keys). It asked whether the town had data once per page load, so
 * after the first usage arrived the banner stayed until a reload: it follows the charts' refreshes now.
 */
const HAS_CHROMIUM = chromiumAvailable();

describe.skipIf(!HAS_CHROMIUM && !process.env.CI)("the Observability page's no-data banner in Chromium", () => {
  let server: RunningServer;
  let townId: string;
  let ingestToken: string;
  let browser: OpenedPage;
  let page: Page;

  beforeAll(async () => {
    const started = await startTownServer('gg-web-nodata-', 'Quiet Town');
    ({ server, townId, ingestToken } = started);
    browser = await openPage({ signIn: { url: server.url, token: started.admin } });
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("goes away with the town's first usage at the charts' next refresh, without a reload, and the chart shows it", async () => {
    await page.goto(`${server.url}/towns/${townId}/observability?range=15m`);
    const banner = page.locator('p.banner', { hasText: 'No data from this town yet' });
    await banner.waitFor();
    const throughput = page.getByRole('figure', { name: 'Token throughput' });
    await throughput.locator('.chart-empty', { hasText: 'No data in this range' }).waitFor();
    // A mark on this document: a reload would lose it.
    await page.evaluate(() => {
      (window as unknown as { stillHere: boolean }).stillHere = true;
    });

    await postJson(`${server.url}/api/towns/${townId}/usage`, ingestToken, {
      records: [
        {
          id: 'first',
          agentId: 'polecat-1',
          model: 'claude-sonnet-4-5',
          inputTokens: 1200,
          outputTokens: 240,
          costMicrodollars: 7860,
          at: Date.now(),
        },
      ],
    });
    // The 15-minute preset refreshes every 5 s.
    await banner.waitFor({ state: 'detached', timeout: 15_000 });
    await throughput.locator('.chart-empty').waitFor({ state: 'detached', timeout: 15_000 });
    // The same page: no reload.
    expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
  });
});
