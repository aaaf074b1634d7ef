import type { RunningServer } from '@gasgauge/server';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, type OpenedPage, openPage } from './browser.js';
import { postJson } from './helpers.js';
import { startTownServer } from './town-server.js';

/*
 * The chart's cursor and tooltip when the data refreshes under them, in Chromium: the 1-hour preset moves with
 * now (5 s buckets, a refresh every 5 s), so every bucket moves one place left at each refresh. A keyboard
 * reading keeps to the bucket it read (by its time), and its tooltip goes once that bucket left the view; a pointer
 * still over the chart reads the bucket now under it (uPlot's cursor is the pointer: a crosshair moved away from a
 * still pointer would jump back at its next pixel of movement). Either way the tooltip's values are those of the
 * time it names, and the charts synced with it show the same time.
 */
const SEC = 1000;
const MIN = 60 * SEC;
const STEP = 5 * SEC;

describe.skipIf(!chromiumAvailable() && !process.env.CI)('the chart tooltip across a refresh in Chromium', () => {
  let server: RunningServer;
  let townId: string;
  let browser: OpenedPage;
  let page: Page;
  const consoleErrors: string[] = [];
  /** Input tokens per second of each 5 s bucket with a record, by the bucket's "HH:MM:SS" (UTC). */
  const inputRate = new Map<string, number>();
  const hms = (t: number) => new Date(t).toISOString().slice(11, 19);

  beforeAll(async () => {
    const started = await startTownServer('gg-web-chart-refresh-', 'Refresh Town');
    ({ server, townId } = started);
    // One record in the middle of each 5 s bucket for 25 minutes, each bucket its own rate (1, 2, 3 ... tokens/s),
    // so a tooltip's value says which bucket it is of.
    const base = Math.floor((Date.now() - 30 * MIN) / STEP) * STEP;
    const records = Array.from({ length: 300 }, (_, i) => {
      inputRate.set(hms(base + i * STEP), i + 1);
      return {
        id: `u${i}`,
        agentId: 'polecat-1',
        model: 'claude-sonnet-4-5',
        inputTokens: 5 * (i + 1),
        outputTokens: 0,
        costMicrodollars: 1000,
        at: base + i * STEP + STEP / 2,
      };
    });
    await postJson(`${server.url}/api/towns/${townId}/usage`, started.ingestToken, { records });
    browser = await openPage({
      timezoneId: 'UTC',
      watch: { consoleErrors },
      signIn: { url: server.url, token: started.admin },
    });
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** The tooltip's time and Input value, or null while it is hidden. */
  const shown = async (tooltip: Locator) => {
    if (!(await tooltip.isVisible())) return null;
    const time = (await tooltip.locator('.chart-tooltip-time').textContent()) ?? '';
    const input = await tooltip.locator('.chart-tooltip-row', { hasText: 'Input' }).locator('.chart-tooltip-value').textContent();
    return { time, input };
  };
  /** What the tooltip must say of the bucket at `time`: its own rate. */
  const expectedInput = (time: string) => `${inputRate.get(time) ?? 0} tokens/s`;
  /** Waits for the next refresh of the timeseries, and for the charts to draw it. */
  const nextRefresh = async () => {
    await page.waitForResponse((r) => /metrics\.timeseries/.test(r.url()), { timeout: 15_000 });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 100))));
  };
  const secondsOf = (t: string) => {
    const [h, m, s] = t.split(':').map(Number);
    return ((h ?? 0) * 60 + (m ?? 0)) * 60 + (s ?? 0);
  };
  /** Seconds from the time `a` to `b` ("HH:MM:SS", at most a day apart; across midnight too). */
  const secondsFrom = (a: string, b: string) => (secondsOf(b) - secondsOf(a) + 86_400) % 86_400;

  const open = async () => {
    await page.goto(`${server.url}/towns/${townId}/observability?range=1h`);
    await page.waitForFunction(() => performance.getEntriesByName('charts-drawn').length > 0);
    const plot = page.getByRole('application', { name: /^Token throughput: / });
    return { plot, tooltip: plot.locator('.chart-tooltip'), said: page.locator('figure', { has: plot }).locator('p[aria-live]') };
  };

  /** Where a chart's crosshair is, as a fraction of its plot's width (negative: hidden). */
  const crosshairAt = (plot: Locator) =>
    plot.locator('.u-over').evaluate((over) => {
      const line = over.querySelector('.u-cursor-x') as HTMLElement;
      const o = over.getBoundingClientRect();
      return (line.getBoundingClientRect().left - o.left) / o.width;
    });

  it('keeps a keyboard reading on the bucket read through a refresh, and hides it once that bucket left the view', async () => {
    const { plot, tooltip, said } = await open();
    // Back from the newest bucket to one with a record (the records end 5 minutes ago): 10 minutes back.
    await plot.focus();
    for (let i = 0; i < 120; i++) await page.keyboard.press('Shift+ArrowLeft');
    await expect.poll(() => said.textContent()).toMatch(/^\d\d:\d\d:\d\d: Input [1-9]/);
    const reading = (await said.textContent()) ?? '';
    const time = reading.slice(0, 8);
    expect(await shown(tooltip)).toEqual({ time, input: expectedInput(time) });

    // The range moved 5 s left under the reading, twice: the tooltip stays on the bucket read, with its values.
    // It stayed at the pixel instead, on the bucket 5 s later each time (and the live region named another).
    for (let i = 0; i < 2; i++) {
      await nextRefresh();
      expect(await shown(tooltip)).toEqual({ time, input: expectedInput(time) });
      expect(await said.textContent()).toBe(reading);
    }

    // The oldest bucket in view: the range moves past it at the next refresh or so, and its tooltip goes; never
    // one of another bucket at its old pixel.
    await page.keyboard.press('Tab');
    await plot.focus();
    await page.keyboard.press('Shift+ArrowRight');
    await expect.poll(() => said.textContent()).not.toBe('');
    const oldest = ((await said.textContent()) ?? '').slice(0, 8);
    expect((await shown(tooltip))?.time).toBe(oldest);
    for (let i = 0; i < 3 && (await shown(tooltip)) !== null; i++) {
      await nextRefresh();
      expect([null, oldest]).toContainEqual((await shown(tooltip))?.time ?? null);
    }
    expect(await shown(tooltip)).toBeNull();
    // The next step reads the oldest bucket now in view.
    await page.keyboard.press('Shift+ArrowRight');
    await expect.poll(async () => (await shown(tooltip))?.time ?? '').toMatch(/\d/);
    const next = (await shown(tooltip))?.time ?? '';
    expect(secondsFrom(oldest, next)).toBeGreaterThan(0);
    expect((await said.textContent())?.slice(0, 8)).toBe(next);
    expect(consoleErrors).toEqual([]);
  }, 90_000);

  it('shows the bucket now under a still pointer after a refresh, with its values, on every synced chart', async () => {
    const { plot, tooltip } = await open();
    const cost = page.getByRole('application', { name: /^Cost: / });
    // A keyboard reading first: the pointer takes the cursor from it.
    await plot.focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('Shift+ArrowLeft');
    const box = await plot.locator('.u-over').boundingBox();
    if (!box) throw new Error('no plot');
    // Over the records (they span 30 to 5 minutes ago of the last hour).
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2);
    const before = await shown(tooltip);
    expect(before?.input).toBe(expectedInput(before?.time ?? ''));
    expect(inputRate.has(before?.time ?? '')).toBe(true);
    expect(await crosshairAt(plot)).toBeCloseTo(0.7, 2);
    expect(await crosshairAt(cost)).toBeCloseTo(0.7, 2);

    for (let i = 0; i < 2; i++) {
      await nextRefresh();
      // The pointer did not move, the range did: the bucket under it is a later one, its values with it.
      const after = await shown(tooltip);
      expect(after?.input).toBe(expectedInput(after?.time ?? ''));
      expect(secondsFrom(before?.time ?? '', after?.time ?? '')).toBeGreaterThanOrEqual(5 * (i + 1));
      expect(await crosshairAt(plot)).toBeCloseTo(0.7, 2);
      expect(await crosshairAt(cost)).toBeCloseTo(0.7, 2);
    }

    // A reading on this chart, then the pointer on another: the synced cursor follows that pointer, refresh or not.
    await plot.focus();
    await page.keyboard.press('Shift+ArrowLeft');
    await expect.poll(() => crosshairAt(plot)).toBeGreaterThan(0.9);
    const costBox = await cost.locator('.u-over').boundingBox();
    if (!costBox) throw new Error('no plot');
    await page.mouse.move(costBox.x + costBox.width * 0.3, costBox.y + costBox.height / 2);
    await expect.poll(() => crosshairAt(plot)).toBeCloseTo(0.3, 2);
    await nextRefresh();
    expect(await crosshairAt(plot)).toBeCloseTo(0.3, 2);
    expect(await crosshairAt(cost)).toBeCloseTo(0.3, 2);
    await page.mouse.move(0, 0);
    expect(consoleErrors).toEqual([]);
  }, 90_000);
});
