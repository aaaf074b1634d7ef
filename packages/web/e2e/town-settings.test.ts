import type { RunningServer } from '@gasgauge/server';
import { middayClock } from '@gasgauge/server/testing/clock';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenedPage, openPage } from './browser.js';
import { screenshot } from './helpers.js';
import { startTownServer } from './town-server.js';

/*
 * A town's Settings tab end to end: the budget saved there is the town's (as the throughput answers it),
 * and a key made there is shown once and works where the page says (an ingest key posts usage, a scrape
 * key reads the Prometheus endpoint); one revoked there is refused at once by the same server.
 */
describe('town settings in Chromium', () => {
  let server: RunningServer;
  let townId: string;
  let admin: string;
  let ingestToken: string;
  let browser: OpenedPage;
  let page: Page;
  const consoleErrors: string[] = [];
  /** The server's and the page's clock: noon in Paris today, so the Paris week of the budget never ends mid-test. */
  const clock = middayClock('Europe/Paris');

  beforeAll(async () => {
    const started = await startTownServer('gg-web-settings-', 'Settings Town', { clock });
    ({ server, townId, admin, ingestToken } = started);
    browser = await openPage({
      clock: clock(),
      timeout: 10_000,
      watch: { consoleErrors },
      signIn: { url: server.url, token: started.admin },
    });
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const postUsage = (key: string, costMicrodollars = 1) =>
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
            costMicrodollars,
            at: clock(),
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

  it('sets, names a bad amount in, and removes the budget', async () => {
    const budget = async () => {
      const input = encodeURIComponent(JSON.stringify({ townId }));
      const res = await fetch(`${server.url}/trpc/metrics.throughput?input=${input}`, {
        headers: { authorization: `Bearer ${admin}` },
      });
      return ((await res.json()) as { result: { data: { budget: unknown } } }).result.data.budget;
    };
    await page.goto(`${server.url}/towns/${townId}/settings`);
    const form = page.getByRole('form', { name: 'Budget' });
    const cap = form.getByLabel('Cap, dollars');
    await expect.poll(() => cap.inputValue()).toBe('');
    await cap.fill('0');
    await form.getByRole('button', { name: 'Save budget' }).click();
    await form.getByRole('alert').filter({ hasText: 'above 0' }).waitFor();
    expect(await cap.getAttribute('aria-invalid')).toBe('true');

    await cap.fill('25.5');
    await form.getByLabel('per').selectOption('week');
    await form.getByLabel('in the calendar of').fill('Europe/Paris');
    await form.getByRole('button', { name: 'Save budget' }).click();
    await form.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect(await budget()).toMatchObject({ period: 'week', capMicrodollars: 25_500_000, tz: 'Europe/Paris' });
    // Beside the form, what this period spent so far of the saved cap, as the Overview says it.
    const spent = page.locator('[data-budget-spent]');
    await expect.poll(() => spent.textContent()).toMatch(/^Spent so far: \$0 of \$25\.50 this week \(0 %\)resets in /);
    expect((await postUsage(ingestToken, 21_000_000)).status).toBe(200);
    await expect.poll(async () => (await budget()) as unknown).toMatchObject({ spentMicrodollars: 21_000_000 });
    await page.reload();
    await expect
      .poll(() => spent.textContent())
      .toMatch(/^Spent so far: \$21\.00 of \$25\.50 this week \(\d+ %\)80 % reachedresets in /);
    await screenshot(page, 'town-settings-budget-spent');

    // A zone the server does not know is its clear refusal, and nothing changes.
    await form.getByLabel('in the calendar of').fill('Mars/Olympus');
    await form.getByRole('button', { name: 'Save budget' }).click();
    await form.getByRole('alert').waitFor();
    expect(await budget()).toMatchObject({ tz: 'Europe/Paris' });

    await cap.fill('');
    await form.getByLabel('in the calendar of').fill('UTC');
    await form.getByRole('button', { name: 'Save budget' }).click();
    await form.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect(await budget()).toBeNull();
    consoleErrors.length = 0; // the refused zone's 400, on purpose
  });

  it('makes ingest and scrape keys that work as shown, and revokes one', async () => {
    await page.goto(`${server.url}/towns/${townId}/settings`);
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
    // A scrape key speaks for no agent; "any" in its Agent cell read as a key that writes for every agent.
    expect(await page.locator('tr[data-key-name="prom"]').textContent()).toContain('none (reads metrics)');
    expect(await page.locator('tr[data-key-name="otel"]').textContent()).toContain('any');
    // Every cell of a row is a table cell of the row's height (a flex Actions cell broke the row's border).
    const bottoms = await page
      .locator('tr[data-key-name="prom"] td')
      .evaluateAll((cells) => cells.map((c) => [getComputedStyle(c).display, Math.round(c.getBoundingClientRect().bottom)]));
    expect(new Set(bottoms.map(([display, bottom]) => `${display} ${bottom}`)).size).toBe(1);
    await screenshot(page, 'town-settings');

    // Revoking asks for a second click; the same server refuses the key at once.
    await page.locator('tr[data-key-name="otel"]').getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('button', { name: 'Yes, revoke otel' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect((await postUsage(ingest)).status).toBe(401);
    expect(consoleErrors).toEqual([]);
  });

  it('keeps a phone-width page within the screen while keys are listed (the table scrolls in its box)', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(`${server.url}/towns/${townId}/settings`);
      await page.locator('table.keys tbody tr').first().waitFor();
      const wider = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(wider).toBe(0);
      // Each label stays on the line of its field (a wrapping row put "Kind" at one line's end, its select below).
      const apart = await page.evaluate(() =>
        Array.from(document.querySelectorAll<HTMLLabelElement>('form.budget-form label, form.create-key label'))
          .filter((label) => {
            const field = document.getElementById(label.htmlFor);
            if (!field) return true;
            const a = label.getBoundingClientRect();
            const b = field.getBoundingClientRect();
            return a.bottom <= b.top || b.bottom <= a.top;
          })
          .map((label) => label.textContent),
      );
      expect(apart).toEqual([]);
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });
});
