import { type RunningServer, startServer } from '@gasgauge/server';
import { tempDir } from '@gasgauge/server/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from './bench-page.js';
import { chromiumAvailable, launchBrowser } from './browser.js';
import { ensureWebBuilt } from './build.js';
import { postJson, screenshot } from './helpers.js';

/*
 * A page left open while the server is down, and while it comes back: each read that got no answer says
 * so (amber, not the browser's "Failed to fetch") and is asked again by itself, so the page is whole again
 * once the server is back, without a reload. Before, a failed read stayed failed: after a restart the
 * Settings tab kept "Could not load the keys: Failed to fetch" and the town header no name until reloaded.
 */
const HAS_CHROMIUM = chromiumAvailable();

describe.skipIf(!HAS_CHROMIUM && !process.env.CI)('the web UI through a server outage', () => {
  let server: RunningServer;
  let dataDir: string;
  let townId: string;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  const start = (port: number) => startServer({ dataDir, port, host: '127.0.0.1', tickMs: 200, log: () => {} });

  beforeAll(async () => {
    ensureWebBuilt();
    dataDir = tempDir('gg-web-outage-');
    server = await start(0);
    const admin = server.adminToken as string;
    townId = (
      (await postJson(`${server.url}/trpc/towns.create`, admin, { name: 'Outage Town' })) as { result: { data: { id: string } } }
    ).result.data.id;
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await signIn(page, server.url, admin);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('says a read got no answer while the server is down, and fills the page again by itself once it is back', async () => {
    await page.goto(`${server.url}/towns/${townId}/settings`);
    await page.getByText('No keys yet.', { exact: true }).waitFor();
    const { port } = server;
    await server.close();
    // Moving inside the app while it is down: every read of the next pages fails to connect.
    await page.getByRole('link', { name: 'Overview', exact: true }).click();
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    const keys = page.getByText(/^Could not load the keys: no answer from the server, retrying in \d+ s$/);
    await keys.waitFor();
    expect(await keys.getAttribute('role')).toBe('status');
    expect(await page.getByText('Failed to fetch', { exact: false }).count()).toBe(0);
    await screenshot(page, 'outage-down');
    // The same data dir and port: the session (in the control database) is still valid.
    server = await start(port);
    await page.getByText('No keys yet.', { exact: true }).waitFor({ timeout: 30_000 });
    await page.getByRole('heading', { name: 'Outage Town', level: 1 }).waitFor({ timeout: 30_000 });
    await page.getByRole('textbox', { name: 'Cap, dollars' }).waitFor();
    expect(await page.getByText('Could not load', { exact: false }).count()).toBe(0);
    await screenshot(page, 'outage-back');
  }, 90_000);
});
