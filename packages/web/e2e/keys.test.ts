import type { RunningServer } from '@gasgauge/server';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from './bench-page.js';
import { launchBrowser } from './browser.js';
import { screenshot, watchPage } from './helpers.js';
import { startTownServer } from './town-server.js';

/*
 * A town's Keys tab end to end: a key made in the page is shown once and works where the page says
 * (an ingest key posts usage, a scrape key reads the Prometheus endpoint), and one revoked there is
 * refused at once by the same server.
 */
describe('town keys in Chromium', () => {
  let server: RunningServer;
  let townId: string;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    const started = await startTownServer('gg-web-keys-', 'Key Town');
    ({ server, townId } = started);
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.setDefaultTimeout(10_000);
    watchPage(page, [], consoleErrors);
    await signIn(page, server.url, started.admin);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const postUsage = (key: string) =>
    fetch(`${server.url}/api/towns/${townId}/usage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        records: [
          {
            id: `m-${Math.random()}`,
            agentId: 'a',
            model: 'm',
            inputTokens: 1,
            outputTokens: 1,
            costMicrodollars: 1,
            at: Date.now(),
          },
        ],
      }),
    });

  /** Makes a key in the form; returns the key the page shows once. */
  const create = async (name: string, kind: 'ingest' | 'scrape') => {
    const form = page.getByRole('form', { name: 'Create a key' });
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('Kind').selectOption(kind);
    await form.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByRole('region', { name: new RegExp(`Key “${name}”`) });
    const key = (await shown.locator('code[data-key]').textContent()) as string;
    await shown.getByRole('button', { name: 'Done' }).click();
    return key;
  };

  it('makes ingest and scrape keys that work as shown, and revokes one', async () => {
    await page.goto(`${server.url}/towns/${townId}/keys`);
    await page.getByText('No keys yet.').waitFor();

    const ingest = await create('otel', 'ingest');
    expect(ingest).toMatch(/^ggi_/);
    expect((await postUsage(ingest)).status).toBe(200);

    const scrape = await create('prom', 'scrape');
    expect(scrape).toMatch(/^ggp_/);
    const scraped = await fetch(`${server.url}/api/towns/${townId}/metrics/prometheus`, {
      headers: { authorization: `Bearer ${scrape}` },
    });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('gasgauge_');

    const rows = page.locator('table.keys tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    await screenshot(page, 'keys');

    // Revoking asks for a second click; the same server refuses the key at once.
    await page.locator('tr[data-key-name="otel"]').getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('button', { name: 'Yes, revoke otel' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect((await postUsage(ingest)).status).toBe(401);
    expect(consoleErrors).toEqual([]);
  });
});
