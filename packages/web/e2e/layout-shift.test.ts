import type { RunningServer } from '@gasgauge/server';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, type OpenedPage, openPage } from './browser.js';
import { startTownServer } from './town-server.js';

/*
 * What a town page's first paint keeps in place when its data arrives. The town's name is read
 * (towns.get) while the page renders: on a phone, where the title has a line to itself, a title with
 * nothing in it took no height, and every part of the page jumped down a line when the name came.
 */
const HAS_CHROMIUM = chromiumAvailable();

/** Holds every tRPC request that asks for `proc` until `release()`. */
async function holdRequests(page: Page, proc: string): Promise<{ release(): void }> {
  let release = () => {};
  const held = new Promise<void>((r) => {
    release = r;
  });
  await page.route('**/trpc/**', async (route) => {
    if (new URL(route.request().url()).pathname.includes(proc)) await held;
    await route.continue();
  });
  return { release };
}

describe.skipIf(!HAS_CHROMIUM && !process.env.CI)('layout shifts on a town page in Chromium', () => {
  let server: RunningServer;
  let admin: string;
  let townId: string;
  const opened: OpenedPage[] = [];

  beforeAll(async () => {
    ({ server, admin, townId } = await startTownServer('gg-web-shift-', 'Shift Town'));
  });

  afterAll(async () => {
    for (const o of opened) await o.close();
    await server?.close();
  });

  for (const tab of ['', '/observability', '/beads', '/settings']) {
    it(`keeps the tabs of ${tab || '/'} in place on a 390 px screen when the town's name arrives`, async () => {
      const browser = await openPage({ width: 390, height: 844, signIn: { url: server.url, token: admin } });
      opened.push(browser);
      const { page } = browser;
      const town = await holdRequests(page, 'towns.get');
      await page.goto(`${server.url}/towns/${townId}${tab}`);
      const tabs = page.getByRole('navigation', { name: 'Town views' });
      await tabs.waitFor();
      const before = await tabs.boundingBox();
      town.release();
      await page.getByRole('heading', { level: 1, name: 'Shift Town' }).waitFor();
      const after = await tabs.boundingBox();
      expect(after?.y).toBe(before?.y);
    });
  }
});
