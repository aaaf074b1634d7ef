import type { RunningServer } from '@gasgauge/server';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, type OpenedPage, openPage } from './browser.js';
import { postJson, screenshot } from './helpers.js';
import { startTownServer } from './town-server.js';

/*
 * The charts from the keyboard, with real key presses in Chromium: a focused chart zooms (+, -), pans
 * (arrow keys) and resets (Home, Escape) every chart of the page, as a drag and a double-click do, and the
 * page's live region announces the range shown. On the observability page and on a bead's cost chart.
 */
const MIN = 60_000;
const HOUR = 60 * MIN;

describe.skipIf(!chromiumAvailable() && !process.env.CI)('charts from the keyboard in Chromium', () => {
  let server: RunningServer;
  let townId: string;
  let browser: OpenedPage;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    const started = await startTownServer('gg-web-chart-keys-', 'Keys Town');
    ({ server, townId } = started);
    const now = Date.now();
    await postJson(`${server.url}/api/towns/${townId}/events`, started.ingestToken, {
      // Closed: its cost chart ends at the close, not at now, so a refetch never moves the range under the keys.
      events: [
        { id: 'b1', at: now - 50 * MIN, type: 'bead', beadId: 'gt-1', status: 'in_progress', title: 'Keys' },
        { id: 'b2', at: now - 5 * MIN, type: 'bead', beadId: 'gt-1', status: 'closed' },
      ],
    });
    await postJson(`${server.url}/api/towns/${townId}/usage`, started.ingestToken, {
      records: Array.from({ length: 40 }, (_, i) => ({
        id: `u${i}`,
        agentId: 'polecat-1',
        model: 'claude-sonnet-4-5',
        inputTokens: 1000,
        outputTokens: 100,
        costMicrodollars: 20_000,
        at: now - 50 * MIN + i * MIN,
        beadId: 'gt-1',
      })),
    });
    browser = await openPage({ watch: { consoleErrors }, signIn: { url: server.url, token: started.admin } });
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** The range in the URL, once it is a fixed one other than `not`. */
  const urlRange = async (not?: { from: number; to: number }) => {
    await expect
      .poll(() => {
        const q = new URL(page.url()).searchParams;
        return q.has('from') && (not === undefined || Number(q.get('from')) !== not.from || Number(q.get('to')) !== not.to);
      })
      .toBe(true);
    const q = new URL(page.url()).searchParams;
    return { from: Number(q.get('from')), to: Number(q.get('to')) };
  };
  const press = async (plot: Locator, key: string) => {
    await plot.focus();
    await page.keyboard.press(key);
  };

  it('zooms, pans and resets every chart of the observability page, and announces the range', async () => {
    await page.goto(`${server.url}/towns/${townId}/observability?range=1h`);
    await page.waitForFunction(() => performance.getEntriesByName('charts-drawn').length > 0);
    const announcement = page.locator('.range-picker [aria-live]');
    expect(await announcement.textContent()).toBe('Range: the last hour');
    const plot = page.getByRole('application', { name: /^Token throughput: \+ and - zoom/ });
    expect(await plot.getAttribute('aria-keyshortcuts')).toBe(
      'Plus Minus ArrowLeft ArrowRight Shift+ArrowLeft Shift+ArrowRight Home Escape',
    );

    // Reached with Tab, as a keyboard user reaches it: the first chart takes focus from the page's controls.
    await page.getByRole('button', { name: '1h', exact: true }).focus();
    for (let i = 0; i < 20 && !(await plot.evaluate((el) => el === document.activeElement)); i++)
      await page.keyboard.press('Tab');
    expect(await plot.evaluate((el) => el === document.activeElement)).toBe(true);
    await screenshot(page, 'observability-chart-focused');

    await page.keyboard.press('+');
    const zoomed = await urlRange();
    expect(zoomed.to - zoomed.from).toBe(HOUR / 2);
    await expect.poll(() => announcement.textContent()).toMatch(/^Range: \d\d:\d\d:\d\d to \d\d:\d\d:\d\d$/);
    const announced = await announcement.textContent();
    // Every chart redrew on the new range (the page's zoom-redraw measure, as for a drag).
    await page.waitForFunction(() => performance.getEntriesByName('zoom-redraw').length > 0);

    await press(plot, 'ArrowLeft');
    const panned = await urlRange(zoomed);
    expect(panned).toEqual({ from: zoomed.from - HOUR / 8, to: zoomed.to - HOUR / 8 });
    await expect.poll(() => announcement.textContent()).not.toBe(announced);

    await press(plot, 'ArrowRight');
    expect(await urlRange(panned)).toEqual(zoomed);

    await press(plot, '-');
    const out = await urlRange(zoomed);
    expect(out.to - out.from).toBe(HOUR);

    // Panning stops at now: never a range that ends in the future.
    const before = Date.now();
    await press(plot, 'ArrowRight');
    const right = await urlRange(out);
    expect(right.to).toBeGreaterThanOrEqual(out.to);
    expect(right.to).toBeLessThanOrEqual(Date.now());
    expect(right.to).toBeGreaterThanOrEqual(before - 5000);

    // Escape resets to the preset it came from, as a double-click does; Home too.
    await press(plot, 'Escape');
    await page.waitForURL(/\?range=1h$/);
    await expect.poll(() => announcement.textContent()).toBe('Range: the last hour');
    await press(plot, '+');
    await urlRange();
    await press(plot, 'Home');
    await page.waitForURL(/\?range=1h$/);

    // A key the charts do not take does nothing, and keys with a modifier are the browser's.
    await press(plot, 'a');
    await press(plot, 'Control+-');
    expect(new URL(page.url()).search).toBe('?range=1h');
    expect(consoleErrors).toEqual([]);
  });

  it('reads a chart bucket by bucket with Shift and the arrows, in its live region and its tooltip, without moving the range', async () => {
    await page.goto(`${server.url}/towns/${townId}/observability?range=1h`);
    await page.waitForFunction(() => performance.getEntriesByName('charts-drawn').length > 0);
    const plot = page.getByRole('application', { name: /^Token throughput: .*Shift and arrow keys read the values$/ });
    const figure = page.locator('figure', { has: plot });
    const said = figure.locator('p[aria-live]');
    const tooltip = plot.locator('.chart-tooltip');
    expect(await said.textContent()).toBe('');

    // The newest bucket first: now, after the last record (the records end 11 minutes ago), a quiet 0.
    await press(plot, 'Shift+ArrowLeft');
    const newest = await said.textContent();
    expect(newest).toMatch(
      /^\d\d:\d\d(:\d\d)?: Input 0 tokens\/s, Output 0 tokens\/s, Reasoning 0 tokens\/s, Cache read 0 tokens\/s, Cache write 0 tokens\/s$/,
    );
    expect(await tooltip.isVisible()).toBe(true);
    expect(await tooltip.textContent()).toContain('Input');

    // The 1-hour preset moves with now (5 s buckets): after a refresh every bucket has moved one place, and the
    // next step still reads the bucket 5 s before the one read. By place, it read the same bucket again, and this
    // test's walk below failed whenever a refresh fell between two presses (a loaded machine's slower walk).
    const secondsOf = (t: string | null) => {
      const [h, m, s] = (t?.match(/^(\d\d):(\d\d):(\d\d):/)?.slice(1) ?? []).map(Number);
      return ((h ?? Number.NaN) * 60 + (m ?? 0)) * 60 + (s ?? 0);
    };
    const refreshed = (r: { url(): string }) => /metrics\.timeseries/.test(r.url());
    await page.waitForResponse(refreshed, { timeout: 15_000 });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 100)))); // drawn
    await page.keyboard.press('Shift+ArrowLeft');
    await expect.poll(() => said.textContent()).not.toBe(newest);
    expect((secondsOf(newest) - secondsOf(await said.textContent()) + 86_400) % 86_400).toBe(5);

    // Back one bucket at a time (quiet ones read 0 or "no data") until a record's: its tokens per second, as the tooltip shows them.
    let text = newest ?? '';
    for (let i = 0; i < 400 && !/Input [1-9]/.test(text); i++) {
      await page.keyboard.press('Shift+ArrowLeft');
      await expect.poll(() => said.textContent()).not.toBe(text);
      text = (await said.textContent()) ?? '';
    }
    expect(text).toMatch(/: Input [1-9][\d.,]*k? tokens\/s, Output [1-9][\d.,]*k? tokens\/s, Reasoning 0 tokens\/s/);
    expect(await tooltip.textContent()).toContain(text.match(/Input ([^,]+),/)?.[1] as string);
    // Reading moves no range, and the plain arrows still pan.
    expect(new URL(page.url()).search).toBe('?range=1h');

    // Focus gone: the keyboard's tooltip and reading go with it.
    await page.keyboard.press('Tab');
    await expect.poll(() => tooltip.isVisible()).toBe(false);
    expect(await said.textContent()).toBe('');
    expect(consoleErrors).toEqual([]);
  });

  it("zooms and pans a bead's cost chart within the bead's life, and announces it", async () => {
    await page.goto(`${server.url}/towns/${townId}/bead?id=gt-1`);
    const plot = page.getByRole('application', { name: /^Cost over time: \+ and - zoom/ });
    await plot.locator('canvas').first().waitFor();
    const announcement = page.locator('.bead-chart span[aria-live]');
    expect(await announcement.textContent()).toBe('Range: the whole life of the bead');
    await press(plot, '=');
    await expect.poll(() => announcement.textContent()).toMatch(/^Range: \d\d:\d\d:\d\d to \d\d:\d\d:\d\d$/);
    const zoomed = await announcement.textContent();
    await press(plot, 'ArrowLeft');
    await expect.poll(() => announcement.textContent()).not.toBe(zoomed);
    // Zoomed out to the whole life (its widest), a pan left goes nowhere: zooming in again from there
    // shows the middle half, the range the first zoom showed.
    const panned = await announcement.textContent();
    await press(plot, '-');
    await expect.poll(() => announcement.textContent()).not.toBe(panned);
    await press(plot, 'ArrowLeft');
    await press(plot, '+');
    await expect.poll(() => announcement.textContent()).toBe(zoomed);
    await press(plot, 'Escape');
    await expect.poll(() => announcement.textContent()).toBe('Range: the whole life of the bead');
    expect(consoleErrors).toEqual([]);
  });
});
