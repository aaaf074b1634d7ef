import { type RunningServer, startServer } from '@gasgauge/server';
import { tempDir } from '@gasgauge/server/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, type OpenedPage, openPage } from './browser.js';
import { ensureWebBuilt } from './build.js';
import { postJson } from './helpers.js';

/*
 * The charts' time axis labels, as drawn: uPlot draws them on a canvas, so the page records every fillText
 * (an init script) and the test checks that no two labels of one axis overlap, on a bead's page (a bead of
 * two minutes: ticks seconds apart, "07:51:30") and on the observability page, wide and narrow.
 */
const HAS_CHROMIUM = chromiumAvailable();

interface Drawn {
  canvas: number;
  text: string;
  x: number;
  y: number;
  left: number;
  right: number;
}

/** Records each fillText on a canvas with its extent in canvas pixels (as aligned), for drawnLabels. */
function recordFillText(): void {
  const drawn: Drawn[] = [];
  const canvases = new WeakMap<HTMLCanvasElement, number>();
  let next = 0;
  (window as unknown as { __drawn: Drawn[] }).__drawn = drawn;
  const fillText = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (this: CanvasRenderingContext2D, text, x, y, max) {
    let canvas = canvases.get(this.canvas);
    if (canvas === undefined) {
      canvas = next++;
      canvases.set(this.canvas, canvas);
    }
    const width = this.measureText(text).width;
    const left =
      this.textAlign === 'center' ? x - width / 2 : this.textAlign === 'right' || this.textAlign === 'end' ? x - width : x;
    drawn.push({ canvas, text, x, y, left, right: left + width });
    return max === undefined ? fillText.call(this, text, x, y) : fillText.call(this, text, x, y, max);
  };
}

/**
 * Pairs of neighbouring time-axis labels that overlap or touch (less than 4 canvas pixels apart). A time axis
 * draws its labels left to right along one y: a label that follows another on the same canvas and line, to its
 * right, is its neighbour; one to its left starts the next drawing.
 */
async function overlappingLabels(page: Page): Promise<{ checked: number; bad: string[] }> {
  const drawn = await page.evaluate(() => (window as unknown as { __drawn: Drawn[] }).__drawn.splice(0));
  const timeLabel = /^\d{2}:\d{2}(:\d{2})?$|^\d{1,2} [A-Z][a-z]{2}$/;
  const last = new Map<string, Drawn>();
  const bad: string[] = [];
  let checked = 0;
  for (const d of drawn) {
    if (!timeLabel.test(d.text)) continue;
    const line = `${d.canvas}:${d.y}`;
    const before = last.get(line);
    last.set(line, d);
    if (!before || d.x <= before.x) continue;
    checked++;
    if (d.left - before.right < 4) bad.push(`${before.text} | ${d.text} (${(d.left - before.right).toFixed(1)} px apart)`);
  }
  return { checked, bad: [...new Set(bad)] };
}

describe.skipIf(!HAS_CHROMIUM && !process.env.CI)('chart time axes in Chromium', () => {
  let server: RunningServer;
  let adminToken: string;
  let townId: string;
  const opened: OpenedPage[] = [];

  const trpc = async (proc: string, input: unknown) =>
    ((await postJson(`${server.url}/trpc/${proc}`, adminToken, input)) as { result: { data: unknown } }).result.data;

  beforeAll(async () => {
    if (!HAS_CHROMIUM) throw new Error('/usr/bin/chromium is missing: install it with apt-get install -y chromium');
    ensureWebBuilt();
    server = await startServer({ dataDir: tempDir('gg-web-axis-'), port: 0, host: '127.0.0.1', tickMs: 200, log: () => {} });
    adminToken = server.adminToken as string;
    townId = ((await trpc('towns.create', { name: 'Axis Town' })) as { id: string }).id;
    const ingest = ((await trpc('towns.mintIngestToken', { townId })) as { token: string }).token;
    // A bead of two minutes, spending every 5 s; usage across the last quarter hour for the observability page.
    const t0 = Date.now() - 10 * 60_000;
    await postJson(`${server.url}/api/towns/${townId}/events`, ingest, {
      events: [
        { id: 'b1', at: t0, type: 'bead', beadId: 'gt-short', status: 'open', title: 'A short task' },
        { id: 'b2', at: t0 + 1_000, type: 'bead', beadId: 'gt-short', status: 'in_progress' },
        { id: 'a1', at: t0 + 1_000, type: 'agent', agentId: 'polecat-1', status: 'working', beadId: 'gt-short' },
        { id: 'b3', at: t0 + 121_000, type: 'bead', beadId: 'gt-short', status: 'closed' },
      ],
    });
    await postJson(`${server.url}/api/towns/${townId}/usage`, ingest, {
      records: Array.from({ length: 24 }, (_, i) => ({
        id: `u-${i}`,
        agentId: 'polecat-1',
        model: 'claude-sonnet-4-5',
        inputTokens: 1000 + i,
        outputTokens: 100,
        costMicrodollars: 5_000 + i * 100,
        at: t0 + 2_000 + i * 5_000,
      })),
    });
  });

  afterAll(async () => {
    for (const o of opened) await o.close();
    await server?.close();
  });

  it("draws a bead's cost chart with no two time labels overlapping, at every width from 600 to 1400 px", async () => {
    // Ticks 5 or 10 s apart are 50-60 px apart at some of these widths: wide labels ("07:44:50") touched there.
    const browser = await openPage({ width: 600, signIn: { url: server.url, token: adminToken } });
    opened.push(browser);
    const { page } = browser;
    await page.context().addInitScript(recordFillText);
    await page.goto(`${server.url}/towns/${townId}/bead?id=gt-short`);
    await page.getByRole('figure', { name: 'Cost over time' }).waitFor();
    await page.waitForFunction(() => performance.getEntriesByName('charts-drawn').length > 0);
    let { checked, bad } = await overlappingLabels(page);
    for (let width = 620; width <= 1400; width += 20) {
      await page.setViewportSize({ width, height: 800 });
      // Past the page's widest layout the chart keeps its width and is not drawn again.
      await page
        .waitForFunction(() => (window as unknown as { __drawn: Drawn[] }).__drawn.some((d) => /^\d\d:/.test(d.text)), null, {
          timeout: 1_000,
        })
        .catch(() => {});
      const drawn = await overlappingLabels(page);
      checked += drawn.checked;
      bad = [...bad, ...drawn.bad.map((b) => `${width} px: ${b}`)];
    }
    expect(checked).toBeGreaterThan(100);
    expect(bad).toEqual([]);
  });

  it('names the days on a 7-day time axis of hours, 1920 px wide', async () => {
    // At 1,920 px the wide charts' 7 days get a tick every 12 h: their labels were all "12:00" and "00:00".
    const browser = await openPage({ width: 1920, signIn: { url: server.url, token: adminToken } });
    opened.push(browser);
    const { page } = browser;
    await page.context().addInitScript(recordFillText);
    await page.goto(`${server.url}/towns/${townId}/observability?range=7d`);
    await page.waitForFunction(() => performance.getEntriesByName('charts-drawn').length > 0);
    const drawn = await page.evaluate(() => (window as unknown as { __drawn: Drawn[] }).__drawn.slice());
    const labels = new Map<number, string[]>();
    for (const d of drawn)
      if (/^\d{2}:\d{2}$|^\d{1,2} [A-Z][a-z]{2,3}$/.test(d.text)) labels.set(d.canvas, [...(labels.get(d.canvas) ?? []), d.text]);
    const hoursOnly = [...labels.values()]
      .filter((l) => l.some((t) => t.includes(':')))
      .filter((l) => !l.some((t) => / /.test(t)));
    expect([...labels.values()].some((l) => l.some((t) => t.includes(':')))).toBe(true);
    expect(hoursOnly.map((l) => [...new Set(l)].join(' '))).toEqual([]);
    const { bad } = await overlappingLabels(page);
    expect(bad).toEqual([]);
  });

  for (const width of [1280, 720]) {
    it(`draws the observability charts with no two time labels overlapping, ${width} px wide`, async () => {
      const browser = await openPage({ width, signIn: { url: server.url, token: adminToken } });
      opened.push(browser);
      const { page } = browser;
      await page.context().addInitScript(recordFillText);
      for (const range of ['15m', '1h', '24h']) {
        await page.goto(`${server.url}/towns/${townId}/observability?range=${range}`);
        await page.waitForFunction(() => performance.getEntriesByName('charts-drawn').length > 0);
        const { checked, bad } = await overlappingLabels(page);
        expect(checked).toBeGreaterThan(3);
        expect(bad).toEqual([]);
      }
    });
  }
});
