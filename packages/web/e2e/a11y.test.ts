import { type RunningServer, startServer } from '@gasgauge/server';
import { tempDir } from '@gasgauge/server/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AxeFinding, auditPage } from './axe.js';
import { chromiumAvailable, type OpenedPage, openPage } from './browser.js';
import { ensureWebBuilt } from './build.js';
import { postJson, screenshot } from './helpers.js';

/*
 * axe-core on every page of the built UI, served by a real server with a town that has agents, events,
 * usage and beads, in Chromium: light and dark, desktop and phone widths. No serious or critical
 * violation may be found. Keyboard reach of the scrollable regions is checked by axe's
 * scrollable-region-focusable rule and, directly, by tabbing to them.
 */
const HAS_CHROMIUM = chromiumAvailable();
const WIDTHS = { desktop: 1280, phone: 390 } as const;
const THEMES = ['light', 'dark'] as const;

describe.skipIf(!HAS_CHROMIUM && !process.env.CI)('accessibility (axe-core) in Chromium', () => {
  let server: RunningServer;
  let adminToken: string;
  let townId: string;
  /** A town without data: the overview shows how to connect a reporter. */
  let emptyTownId: string;
  let browser: OpenedPage;
  let page: Page;

  const trpc = async (proc: string, input: unknown) =>
    ((await postJson(`${server.url}/trpc/${proc}`, adminToken, input)) as { result: { data: unknown } }).result.data;

  /** Each page by name: its path and what shows that it has finished loading. */
  const pages = (): { name: string; path: string; ready(p: Page): Promise<unknown> }[] => [
    { name: 'login', path: '/login', ready: (p) => p.locator('#token').waitFor() },
    { name: 'towns', path: '/', ready: (p) => p.locator('.sparkline canvas').first().waitFor() },
    {
      name: 'overview',
      path: `/towns/${townId}`,
      ready: (p) => Promise.all([p.locator('.feed li').first().waitFor(), p.locator('table.agents tbody tr').first().waitFor()]),
    },
    {
      name: 'observability',
      path: `/towns/${townId}/observability?range=1h`,
      ready: (p) => p.waitForFunction(() => performance.getEntriesByName('charts-drawn').length > 0),
    },
    {
      name: 'observability-empty',
      path: `/towns/${emptyTownId}/observability?range=1h`,
      ready: (p) => p.locator('p.banner', { hasText: 'No data from this town yet' }).waitFor(),
    },
    {
      name: 'overview-empty',
      path: `/towns/${emptyTownId}`,
      ready: (p) => p.getByRole('heading', { name: 'No data from this town yet' }).waitFor(),
    },
    { name: 'billing', path: '/billing', ready: (p) => p.locator('.account').first().waitFor() },
    {
      name: 'town-settings',
      path: `/towns/${townId}/settings`,
      ready: (p) =>
        Promise.all([p.getByRole('form', { name: 'Create a key' }).waitFor(), p.getByLabel('Cap, dollars').waitFor()]),
    },
    { name: 'orgs', path: '/orgs', ready: (p) => p.locator('tr[data-member="admin"]').waitFor() },
    {
      name: 'beads',
      path: `/towns/${townId}/beads`,
      ready: (p) => Promise.all([p.locator('table.beads tbody tr').first().waitFor(), p.locator('.runaway-rules h2').waitFor()]),
    },
    {
      name: 'bead',
      path: `/towns/${townId}/bead?id=gt-1`,
      ready: (p) => p.waitForFunction(() => performance.getEntriesByName('charts-drawn').length > 0),
    },
  ];

  beforeAll(async () => {
    if (!HAS_CHROMIUM) throw new Error('/usr/bin/chromium is missing: install it with apt-get install -y chromium');
    ensureWebBuilt();
    server = await startServer({ dataDir: tempDir('gg-web-a11y-'), port: 0, host: '127.0.0.1', tickMs: 200, log: () => {} });
    adminToken = server.adminToken as string;
    townId = ((await trpc('towns.create', { name: 'Gas Town' })) as { id: string }).id;
    emptyTownId = ((await trpc('towns.create', { name: 'Empty Town' })) as { id: string }).id;
    // An organisation, so the organisations page shows its member table and invite form.
    await trpc('orgs.create', { name: 'Crew' });
    const ingest = ((await trpc('towns.mintIngestToken', { townId })) as { token: string }).token;
    const now = Date.now();
    await postJson(`${server.url}/api/towns/${townId}/events`, ingest, {
      events: [
        { id: 'a1', at: now - 60_000, type: 'agent', agentId: 'polecat-1', role: 'polecat', status: 'working', beadId: 'gt-1' },
        // One agent in each status, so every status badge is audited.
        ...['idle', 'waiting', 'stalled', 'dead'].map((status, i) => ({
          id: `s${i}`,
          at: now - 50_000 + i,
          type: 'agent',
          agentId: `crew-${status}`,
          role: 'crew',
          status,
        })),
        // A bead in each status, so every bead badge is audited; gt-1 has a child.
        ...['open', 'in_progress', 'in_review', 'blocked', 'closed', 'failed'].map((status, i) => ({
          id: `b${i}`,
          at: now - 70_000 + i,
          type: 'bead',
          beadId: i === 1 ? 'gt-1' : `gt-${status}`,
          status,
          title: `Task ${status}`,
          ...(i === 0 ? { parentId: 'gt-1' } : {}),
        })),
        { id: 'n1', at: now - 40_000, type: 'note', name: 'deploy done' },
      ],
    });
    await postJson(`${server.url}/api/towns/${townId}/usage`, ingest, {
      records: Array.from({ length: 60 }, (_, i) => ({
        id: `u-${i}`,
        agentId: i % 2 ? 'polecat-1' : 'polecat-2',
        model: i % 3 ? 'claude-sonnet-4-5' : 'gpt-5',
        inputTokens: 1000 + i * 10,
        outputTokens: 200 + i,
        costMicrodollars: 9000 + i * 50,
        at: now - 3_500_000 + i * 55_000,
        // Every third record on a bead: the bead page has a cost chart, the overview spend on no bead.
        ...(i % 3 === 0 ? { beadId: 'gt-1' } : {}),
      })),
    });
    browser = await openPage({ signIn: { url: server.url, token: adminToken } });
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const theme of THEMES) {
    for (const [width, px] of Object.entries(WIDTHS)) {
      it(`finds no serious or critical violation on any page, ${theme} theme, ${width} width`, async () => {
        await page.setViewportSize({ width: px, height: 844 });
        await page.emulateMedia({ colorScheme: theme });
        const found: Record<string, AxeFinding[]> = {};
        const overflowing: string[] = [];
        for (const p of pages()) {
          await page.goto(server.url + p.path);
          await p.ready(page);
          expect(await page.evaluate(() => document.documentElement.dataset.theme ?? 'light')).toBe(theme);
          const violations = await auditPage(page);
          if (violations.length > 0) found[p.name] = violations;
          // Nothing pushes the page wider than the screen (wide tables scroll in their own box).
          const wider = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          if (wider > 0) overflowing.push(`${p.name}: ${wider} px`);
          await screenshot(page, `a11y-${p.name}-${theme}-${width}`);
        }
        expect(found).toEqual({});
        expect(overflowing).toEqual([]);
      });
    }
  }

  it('reaches the agent table and the event feed by keyboard', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.url}/towns/${townId}`);
    await page.locator('.feed li').first().waitFor();
    const reached = new Set<string>();
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      const label = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
      if (label) reached.add(label);
    }
    expect([...reached]).toEqual(expect.arrayContaining(['Agents', 'Event feed']));
  });
});
