import type { RunningServer } from '@gasgauge/server';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenedPage, openPage } from './browser.js';
import { screenshot } from './helpers.js';
import { startTownServer } from './town-server.js';

/*
 * A town past its storage quota (`--max-town-mb`, here 1 MiB) in Chromium: the overview says so, live,
 * and what it means for the data sent meanwhile.
 */
describe('storage quota in Chromium', () => {
  let server: RunningServer;
  let townId: string;
  let ingestToken: string;
  let browser: OpenedPage;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    const started = await startTownServer('gg-web-quota-', 'Quota Town', { maxTownMb: 1 });
    ({ server, townId, ingestToken } = started);
    browser = await openPage({ timeout: 10_000, watch: { consoleErrors }, signIn: { url: server.url, token: started.admin } });
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const post = (records: unknown[]) =>
    fetch(`${server.url}/api/towns/${townId}/usage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingestToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ records }),
    });
  const record = (id: string, agentId: string) => ({
    id,
    agentId,
    model: 'm',
    inputTokens: 1,
    outputTokens: 0,
    costMicrodollars: 0,
    at: Date.now() - 1000,
  });

  it('shows on the Settings tab what the town holds against its quota', async () => {
    await page.goto(`${server.url}/towns/${townId}/settings`);
    const line = page.locator('[data-storage]');
    await line.waitFor();
    // A fresh town: a few hundred KiB of a 1 MiB quota.
    expect(await line.textContent()).toMatch(/^This town holds \d+ KiB of data, \d+ % of its 1 MiB quota\.$/);
    const meter = page.getByRole('meter', { name: 'Storage used' });
    expect(Number((await meter.getAttribute('aria-valuemax')) ?? (await meter.getAttribute('max')))).toBe(1024 * 1024);
    expect(await page.getByRole('region', { name: 'Storage' }).getByRole('alert').count()).toBe(0);
  });

  it('says on the overview, as soon as it happens, that the town refuses new data, and why', async () => {
    await page.goto(`${server.url}/towns/${townId}`);
    await page.waitForFunction(() => document.querySelector('[aria-label="Tokens per second"]')?.hasAttribute('aria-valuenow'));
    const banner = page.getByRole('alert').filter({ hasText: 'storage quota' });
    expect(await banner.count()).toBe(0);
    expect((await post(Array.from({ length: 5000 }, (_, i) => record(`r${i}`, `made-up-${i}`)))).status).toBe(200);
    // The push of that ingest (or the next tick's) carries storageFull: no reload.
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(
      /storage quota is used up: new usage, events and lines of code are refused \(HTTP 507\)/,
    );
    expect(await banner.textContent()).toContain('--max-town-mb');
    expect((await post([record('late', 'a')])).status).toBe(507);
    await screenshot(page, 'storage-quota');
    // The Settings tab says it too, with how much the town holds.
    await page.goto(`${server.url}/towns/${townId}/settings`);
    const storage = page.getByRole('region', { name: 'Storage' });
    await storage.getByRole('alert').waitFor();
    expect(await storage.locator('[data-storage]').textContent()).toMatch(
      /^This town holds \d+(\.\d)? MiB of data, [1-9]\d{2,} % of its 1 MiB quota\.$/,
    );
    await screenshot(page, 'storage-quota-settings');
    expect(consoleErrors).toEqual([]);
  });
});
