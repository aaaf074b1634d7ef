import type { RunningServer } from '@gasgauge/server';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, type OpenedPage, openPage } from './browser.js';
import { postJson } from './helpers.js';
import { startTownServer } from './town-server.js';

/*
 * A chart's tooltip stays on the screen wherever the pointer is: on a phone the plot (~250 px) is
 * narrower than a tooltip (10rem at least, up to 16rem of series name), and a tooltip kept to the plot's
 * halves ran past the screen's right edge (the Token throughput chart's at 390 px: 179..395 px).
 */
const HAS_CHROMIUM = chromiumAvailable();

/** Moves the pointer across every chart's plot, every 6 px, and lists each tooltip that is past the screen's edge. */
async function tooltipsOffScreen(page: Page): Promise<{ shown: number; off: string[] }> {
  const off: string[] = [];
  let shown = 0;
  const plots = await page.locator('.chart .u-over').all();
  for (const [i, plot] of plots.entries()) {
    await plot.scrollIntoViewIfNeeded();
    const box = await plot.boundingBox();
    if (!box) continue;
    for (let x = 1; x < box.width; x += 6) {
      await page.mouse.move(box.x + x, box.y + box.height / 2);
      const tip = await page.evaluate(() => {
        const el = Array.from(document.querySelectorAll<HTMLElement>('.chart-tooltip')).find((e) => !e.hidden);
        if (!el) return null;
        const r = el.getBoundingClientRect();
        return { left: r.left, right: r.right, screen: document.documentElement.clientWidth };
      });
      if (!tip) continue;
      shown++;
      if (tip.left < 0 || tip.right > tip.screen)
        off.push(
          `chart ${i}, pointer at ${Math.round(x)} px: ${Math.round(tip.left)}..${Math.round(tip.right)} of ${tip.screen}`,
        );
    }
    await page.mouse.move(0, 0);
  }
  return { shown, off };
}

describe.skipIf(!HAS_CHROMIUM && !process.env.CI)('chart tooltips in Chromium', () => {
  let server: RunningServer;
  let admin: string;
  let townId: string;
  const opened: OpenedPage[] = [];

  beforeAll(async () => {
    const started = await startTownServer('gg-web-tooltip-', 'Tooltip Town');
    ({ server, admin, townId } = started);
    const agents = ['polecat-1', 'A'.repeat(256)];
    const t0 = Date.now() - 20 * 60_000;
    await postJson(`${server.url}/api/towns/${townId}/usage`, started.ingestToken, {
      records: Array.from({ length: 40 }, (_, i) => ({
        id: `u-${i}`,
        agentId: agents[i % 2],
        model: i % 2 ? 'M'.repeat(256) : 'claude-sonnet-4-5',
        inputTokens: 1000 + i,
        outputTokens: 100,
        costMicrodollars: 5_000 + i * 100,
        at: t0 + i * 30_000,
      })),
    });
  });

  afterAll(async () => {
    for (const o of opened) await o.close();
    await server?.close();
  });

  for (const width of [390, 320, 1280]) {
    it(`keeps every tooltip on a ${width} px screen, wherever the pointer is on the observability charts`, async () => {
      const browser = await openPage({ width, height: 900, signIn: { url: server.url, token: admin } });
      opened.push(browser);
      const { page } = browser;
      await page.goto(`${server.url}/towns/${townId}/observability?range=1h`);
      await page.waitForFunction(() => performance.getEntriesByName('charts-drawn').length > 0);
      const { shown, off } = await tooltipsOffScreen(page);
      expect(shown).toBeGreaterThan(50);
      expect(off).toEqual([]);
    });
  }
});
