import type { RunningServer } from '@gasgauge/server';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, type OpenedPage, openPage } from './browser.js';
import { postJson, screenshot } from './helpers.js';
import { startTownServer } from './town-server.js';

/*
 * Right-to-left names (Arabic, Hebrew) in the event feed's English lines: each line reads left to right,
 * its words in order, each name set apart in its own direction. The whole line was one <bdi>, which takes
 * the direction of its first strong letter: "وكيل is idle" was laid out right to left, right-aligned, the
 * words before the name.
 */
const HAS_CHROMIUM = chromiumAvailable();
const AGENT = 'وكيل-بناء';
const BEAD = 'חרוז-1';

/**
 * The feed's lines whose pieces (the text between names, and each name) are not laid out left to right in
 * the order they come in, or that do not start at the line's left edge.
 */
async function linesOutOfOrder(page: Page): Promise<{ lines: number; bad: string[] }> {
  return page.locator('.feed-text').evaluateAll((lines) => {
    const bad: string[] = [];
    for (const line of lines) {
      const boxes = Array.from(line.childNodes)
        .filter((n) => (n.textContent ?? '').trim() !== '')
        .map((n) => {
          const range = document.createRange();
          range.selectNodeContents(n);
          return { text: n.textContent ?? '', box: range.getBoundingClientRect() };
        });
      const start = line.getBoundingClientRect().left;
      const first = boxes[0];
      if (first && Math.abs(first.box.left - start) > 1) bad.push(`${line.textContent}: starts ${first.box.left - start} px in`);
      for (let i = 1; i < boxes.length; i++) {
        const [a, b] = [boxes[i - 1], boxes[i]] as [(typeof boxes)[0], (typeof boxes)[0]];
        if (b.box.top < a.box.bottom - 1 && b.box.left < a.box.right - 1)
          bad.push(`${line.textContent}: "${b.text}" left of "${a.text}"`);
      }
    }
    return { lines: lines.length, bad };
  });
}

describe.skipIf(!HAS_CHROMIUM && !process.env.CI)('right-to-left names in the web UI', () => {
  let server: RunningServer;
  let admin: string;
  let townId: string;
  let browser: OpenedPage;

  beforeAll(async () => {
    const started = await startTownServer('gg-web-rtl-', 'RTL Town');
    ({ server, admin, townId } = started);
    const at = Date.now() - 60_000;
    await postJson(`${server.url}/api/towns/${townId}/events`, started.ingestToken, {
      events: [
        { id: 'a1', at, type: 'agent', agentId: AGENT, status: 'idle' },
        { id: 'a2', at: at + 1, type: 'agent', agentId: AGENT, status: 'working', beadId: BEAD },
        { id: 'b1', at: at + 2, type: 'bead', beadId: BEAD, status: 'open', title: 'תיקון באג', assigneeAgentId: AGENT },
        { id: 'n1', at: at + 3, type: 'note', name: 'mail', data: { from: AGENT, to: 'mayor', subject: 'مرحبا' } },
      ],
    });
    browser = await openPage({ width: 1280, signIn: { url: server.url, token: admin } });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lays out each line of the event feed left to right, a right-to-left name in it kept in its place', async () => {
    const { page } = browser;
    await page.goto(`${server.url}/towns/${townId}`);
    await page.locator('.feed li').nth(3).waitFor();
    const { lines, bad } = await linesOutOfOrder(page);
    expect(lines).toBe(4);
    expect(bad).toEqual([]);
    // The bead's id is still the link to its page, on the bead's line and the agent's.
    expect(await page.locator('.feed a', { hasText: BEAD }).count()).toBe(2);
    await screenshot(page, 'feed-rtl-names');
  });
});
