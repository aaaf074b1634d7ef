import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type RunningServer, startServer } from '@gasgauge/server';
import { tempDir } from '@gasgauge/server/testing';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchBrowser } from './browser.js';
import { ensureWebBuilt } from './build.js';
import { crossSitePage, meterValue, postJson, screenshot, timeseriesInputs } from './helpers.js';

/*
 * End to end: the built UI, served by a real server (port 0, 200 ms ticks, a temp data dir), driven
 * in Debian's Chromium. Skipped (with a message) only when Chromium is missing outside CI; in CI a
 * missing browser fails the run.
 */
const HAS_CHROMIUM = chromiumAvailable();
if (!HAS_CHROMIUM && !process.env.CI) {
  console.warn('packages/web/e2e: skipped, /usr/bin/chromium is missing (apt-get install -y chromium). In CI this fails.');
}

const CLI = resolve(fileURLToPath(new URL('../../server/bin/gasgauge.mjs', import.meta.url)));

describe.skipIf(!HAS_CHROMIUM && !process.env.CI)('web UI in Chromium', () => {
  let server: RunningServer;
  let dataDir: string;
  let adminToken: string;
  let townId: string;
  let ingestToken: string;
  let browser: { context: BrowserContext; close(): Promise<void> };
  let page: Page;
  const trpcUrls: string[] = [];
  /** Errors the page logged (CSP violations, failed scripts): there should be none but expected 401s. */
  const consoleErrors: string[] = [];

  const trpc = async (proc: string, input: unknown) =>
    ((await postJson(`${server.url}/trpc/${proc}`, adminToken, input)) as { result: { data: unknown } }).result.data;

  beforeAll(async () => {
    if (!HAS_CHROMIUM) throw new Error('/usr/bin/chromium is missing: install it with apt-get install -y chromium');
    ensureWebBuilt();
    dataDir = tempDir('gg-web-e2e-');
    server = await startServer({ dataDir, port: 0, host: '127.0.0.1', tickMs: 200, log: () => {} });
    adminToken = server.adminToken as string;
    townId = ((await trpc('towns.create', { name: 'Gas Town' })) as { id: string }).id;
    ingestToken = ((await trpc('towns.mintIngestToken', { townId })) as { token: string }).token;
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.on('request', (r) => {
      if (r.url().includes('/trpc/')) trpcUrls.push(r.url());
    });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
  });

  it('logs no script errors and no Content-Security-Policy violations', () => {
    // After sign-out a request or two may be refused (401) before the redirect, and the stopped server refuses connections.
    const unexpected = consoleErrors.filter((e) => !/status of 401|ERR_CONNECTION_REFUSED|ERR_INTERNET_DISCONNECTED/.test(e));
    expect(unexpected).toEqual([]);
  });

  afterAll(async () => {
    // The browser first: its live stream would keep the server's close waiting.
    await browser?.close();
    await server?.close();
  });

  it('signs in with a one-time link clicked on another site, and lands on the town', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      CLI,
      'login-link',
      '--user',
      'admin',
      '--next',
      `/towns/${townId}`,
      '--data',
      dataDir,
      '--json',
    ]);
    const link = JSON.parse(stdout) as { url: string; expiresAt: number };
    expect(link.url.startsWith(`${server.url}/auth/link?code=ggl_`)).toBe(true);
    expect(link.expiresAt).toBeGreaterThan(Date.now());

    const elsewhere = await crossSitePage(link.url);
    try {
      await page.goto(elsewhere.url);
      await page.click('#go');
      await page.waitForURL(`${server.url}/towns/${townId}`);
      await page.getByRole('meter', { name: 'Tokens per second', exact: true }).waitFor();
    } finally {
      await elsewhere.close();
    }
    expect(await page.evaluate(() => document.cookie)).not.toContain('gg_session'); // HttpOnly
    await expect(page.getByRole('heading', { name: 'No data from this town yet' }).isVisible()).resolves.toBe(true);
    await screenshot(page, 'overview-empty');

    // The link was used up.
    await page.goto(link.url);
    await page.waitForURL(/\/login\?error=link_expired/);
  });

  it('moves a gauge within a second of an ingest, and fills the agent table and event feed', async () => {
    await page.goto(`${server.url}/towns/${townId}`);
    const meter = page.getByRole('meter', { name: 'Tokens per second', exact: true });
    await page.waitForFunction(() => document.querySelector('[aria-label="Tokens per second"]')?.hasAttribute('aria-valuenow'));
    expect(await meterValue(page, 'Tokens per second')).toBe(0);
    for (const name of ['Cost per hour', 'Lines of code', 'Active agents', 'Beads closed per hour', 'Gas tank']) {
      await expect(page.getByRole('meter', { name, exact: true }).count()).resolves.toBe(1);
    }
    expect(await page.getByRole('meter', { name: 'Gas tank', exact: true }).getAttribute('aria-valuetext')).toBe(
      'balance unknown',
    );

    const at = Date.now();
    await postJson(`${server.url}/api/towns/${townId}/events`, ingestToken, {
      events: [{ id: 'ev-1', at, type: 'agent', agentId: 'polecat-1', role: 'polecat', status: 'working', beadId: 'gt-1' }],
    });
    const sent = performance.now();
    await postJson(`${server.url}/api/towns/${townId}/usage`, ingestToken, {
      records: [
        {
          id: 'msg-1',
          agentId: 'polecat-1',
          model: 'claude-sonnet-4-5',
          inputTokens: 60_000,
          outputTokens: 3000,
          costMicrodollars: 225_000,
          at,
        },
      ],
    });
    await page.waitForFunction(
      () => Number(document.querySelector('[aria-label="Tokens per second"]')?.getAttribute('aria-valuenow')) > 0,
      undefined,
      { timeout: 5000 },
    );
    const latencyMs = performance.now() - sent;
    // 63,000 tokens over the 5-minute window.
    expect(await meter.getAttribute('aria-valuenow')).toBe('210');
    expect(latencyMs).toBeLessThan(2000);
    await page.getByRole('cell', { name: 'gt-1' }).waitFor();
    await page.getByText('polecat-1 is working on gt-1').waitFor();
    expect(await meterValue(page, 'Active agents')).toBe(1);
    await screenshot(page, 'overview');
    console.log(`gauge updated ${Math.round(latencyMs)} ms after the ingest was sent`);
  });

  it('says the data is stale when the server goes away, and reconnects when it is back', async () => {
    await page.locator('[data-live="live"]').waitFor();
    const { port } = server;
    await server.close();
    await page.getByText('Live updates interrupted', { exact: false }).waitFor({ timeout: 10_000 });
    await screenshot(page, 'overview-stale');
    // The same data dir and port: the session (in the control database) is still valid.
    server = await startServer({ dataDir, port, host: '127.0.0.1', tickMs: 200, log: () => {} });
    await page.locator('[data-live="live"]').waitFor({ timeout: 15_000 });
    expect(await page.getByText('Live updates interrupted', { exact: false }).count()).toBe(0);
    expect(await meterValue(page, 'Tokens per second')).toBe(210);
  });

  it('zooms every chart with a drag, puts the range in the URL and queries it; reload keeps it; Back returns', async () => {
    // A past hour of usage, so the charts have something to draw.
    const now = Date.now();
    await postJson(`${server.url}/api/towns/${townId}/usage`, ingestToken, {
      records: Array.from({ length: 120 }, (_, i) => ({
        id: `hist-${i}`,
        agentId: i % 2 ? 'polecat-1' : 'polecat-2',
        model: i % 3 ? 'claude-sonnet-4-5' : 'gpt-5',
        inputTokens: 1000 + i * 10,
        outputTokens: 200 + i,
        cacheReadTokens: 5000,
        costMicrodollars: 9000 + i * 50,
        at: now - 3_600_000 + i * 30_000,
        mode: 'delta',
      })),
    });
    await page.goto(`${server.url}/towns/${townId}/observability?range=1h`);
    await page.waitForFunction(() => performance.getEntriesByName('charts-drawn').length > 0);
    await screenshot(page, 'observability');

    const plot = page.locator('.chart').first().locator('.u-over');
    const box = await plot.boundingBox();
    if (!box) throw new Error('no chart plot');
    const before = trpcUrls.length;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.3, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.45, y, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.6, y, { steps: 5 });
    await page.mouse.up();
    await page.waitForURL(/from=\d+&to=\d+/);
    const q = new URL(page.url()).searchParams;
    const from = Number(q.get('from'));
    const to = Number(q.get('to'));
    // About 30 % to 60 % of the hour.
    expect(to - from).toBeGreaterThan(900_000);
    expect(to - from).toBeLessThan(1_200_000);
    await expect
      .poll(() => trpcUrls.slice(before).flatMap(timeseriesInputs))
      .toContainEqual(expect.objectContaining({ townId, from, to, maxPoints: expect.any(Number) }));
    const redraw = await page.evaluate(() => performance.getEntriesByName('zoom-redraw')[0]?.duration ?? null);
    expect(redraw).not.toBeNull();
    await page.waitForFunction(() => !document.querySelector('.charts[aria-busy="true"]'));
    await screenshot(page, 'observability-zoomed');

    const zoomedUrl = page.url();
    const beforeReload = trpcUrls.length;
    await page.reload();
    await page.waitForFunction(() => performance.getEntriesByName('charts-drawn').length > 0);
    expect(page.url()).toBe(zoomedUrl);
    expect(trpcUrls.slice(beforeReload).flatMap(timeseriesInputs)).toContainEqual(expect.objectContaining({ from, to }));
    expect(await page.getByRole('button', { name: 'Custom' }).getAttribute('aria-pressed')).toBe('true');

    await page.goBack();
    await page.waitForURL(/\?range=1h$/);
    expect(await page.getByRole('button', { name: '1h', exact: true }).getAttribute('aria-pressed')).toBe('true');

    // Double-click resets a zoom to the preset it came from.
    await page.goForward();
    await page.waitForURL(zoomedUrl);
    await plot.dblclick();
    await page.waitForURL(/\?range=1h$/);
  });

  it('signs out: the session no longer works and the app goes to /login', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${server.url}/login`);
    const me = await browser.context.request.get(`${server.url}/auth/me`);
    expect(me.status()).toBe(401);
    await page.goto(`${server.url}/towns/${townId}`);
    await page.waitForURL(/\/login\?next=/);
    await screenshot(page, 'login');
  });

  it('signs in with an API token on the form, which never reaches the page script', async () => {
    await page.goto(`${server.url}/login`);
    await page.fill('#token', 'ggu_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    await screenshot(page, 'login-error');

    await page.fill('#token', adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/`);
    await page.getByRole('link', { name: /Gas Town/ }).waitFor();
    await page.locator('.sparkline canvas').first().waitFor();
    await screenshot(page, 'towns');
    expect(await page.evaluate(() => JSON.stringify(localStorage) + document.cookie)).not.toContain('ggu_');

    // A mutation from the page: the cookie authenticates it and the browser's Origin passes the check.
    await page.fill('#town-name', 'Second Town');
    await page.getByRole('button', { name: 'Create town' }).click();
    await page.waitForURL(/\/towns\/town_\w+$/);
    await page.getByRole('heading', { name: 'Second Town' }).waitFor();
  });

  it('is readable at phone width and in the dark theme', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${server.url}/towns/${townId}`);
    await page.getByRole('meter', { name: 'Tokens per second', exact: true }).waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await screenshot(page, 'overview-phone-dark');
    await page.goto(`${server.url}/towns/${townId}/observability?range=1h`);
    await page.waitForFunction(() => performance.getEntriesByName('charts-drawn').length > 0);
    await screenshot(page, 'observability-phone-dark');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: /Gas Town/ }).waitFor();
    await screenshot(page, 'towns-dark');
  });
});
