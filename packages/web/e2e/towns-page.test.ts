import { Control } from '@gasgauge/core';
import { DataDir, openSqlite } from '@gasgauge/server';
import { startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from './bench-page.js';
import { chromiumAvailable, type OpenedPage, openPage } from './browser.js';
import { ensureWebBuilt } from './build.js';

/*
 * The towns page of a user with many towns shows a page of cards, each reading its sparkline and rate:
 * with every town shown, 1,000 towns were 2,000 tRPC calls a load (bench/towns-page.ts).
 */
const HAS_CHROMIUM = chromiumAvailable();
/** The server's own town and 60 more: past one step of cards. */
const TOWNS = 61;
/** TownsPage's TOWN_CARDS_STEP (its module needs a browser). */
const TOWN_CARDS_STEP = 48;

describe.skipIf(!HAS_CHROMIUM && !process.env.CI)('towns page of many towns in Chromium', () => {
  let server: TestServer;
  let browser: OpenedPage;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    if (!HAS_CHROMIUM) throw new Error('/usr/bin/chromium is missing: install it with apt-get install -y chromium');
    ensureWebBuilt();
    server = await startTestServer();
    const sql = openSqlite(new DataDir(server.dataDir).controlFile);
    try {
      const control = new Control(sql, Date.now);
      const admin = control.userByName('admin')?.id as string;
      for (let i = 1; i < TOWNS; i++)
        control.createTown(`town_many_${String(i).padStart(2, '0')}`, `Many ${i}`, { userId: admin });
    } finally {
      sql.close();
    }
    browser = await openPage({ width: 1280, height: 900, timeout: 8000, watch: { consoleErrors } });
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows 48 cards, reads metrics for those alone, and the rest after "Show more towns"', async () => {
    await signIn(page, server.url, server.adminToken);
    // Sign-in lands on this page: its cards' reads, still arriving, must not be counted with the next load's.
    await page.waitForLoadState('networkidle');
    // Each metrics read, as `procedure town`: a read asked again (a card's refresh, a retry after a shed read, both
    // likelier on a loaded machine) is the same read, so what is counted is which reads were made, not how often.
    const metricReads = new Set<string>();
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (!url.pathname.startsWith('/trpc/')) return;
      const procs = url.pathname.slice(6).split(',');
      const inputs = JSON.parse(url.searchParams.get('input') ?? '{}') as Record<string, { townId?: string }>;
      procs.forEach((proc, i) => {
        if (proc.startsWith('metrics.')) metricReads.add(`${proc} ${inputs[String(i)]?.townId}`);
      });
    });
    await page.goto(`${server.url}/`);
    const cards = page.locator('.town-card');
    await cards.nth(TOWN_CARDS_STEP - 1).waitFor();
    await page.waitForLoadState('networkidle');
    expect(await cards.count()).toBe(TOWN_CARDS_STEP);
    // A sparkline and a rate per card shown, and for no other town.
    expect(metricReads.size).toBe(2 * TOWN_CARDS_STEP);
    expect(new Set([...metricReads].map((r) => r.split(' ')[1])).size).toBe(TOWN_CARDS_STEP);
    await page.getByText(`${TOWN_CARDS_STEP} of ${TOWNS} towns.`).waitFor();
    await page.getByRole('button', { name: 'Show more towns' }).click();
    await cards.nth(TOWNS - 1).waitFor();
    expect(await cards.count()).toBe(TOWNS);
    expect(await page.getByRole('button', { name: 'Show more towns' }).count()).toBe(0);
    expect(consoleErrors).toEqual([]);
  });

  it("reads a town's page from that town alone, not from every page of the towns list", async () => {
    const lists: string[] = [];
    const gets: string[] = [];
    page.on('request', (r) => {
      const procs = new URL(r.url()).pathname.replace(/^\/trpc\//, '').split(',');
      if (procs.includes('towns.list')) lists.push(r.url());
      if (procs.includes('towns.get')) gets.push(r.url());
    });
    for (const tab of ['', '/observability', '/beads', '/settings']) {
      await page.goto(`${server.url}/towns/town_many_05${tab}`);
      await page.getByRole('heading', { name: 'Many 5', level: 1 }).waitFor();
    }
    // One request a page load (the gate, the header and the overview share it), and never the list.
    expect(gets).toHaveLength(4);
    expect(lists).toEqual([]);
    for (const id of ['town_nope', 'T'.repeat(64)]) {
      await page.goto(`${server.url}/towns/${id}`);
      await page.getByRole('heading', { name: 'Town not found', level: 1 }).waitFor();
    }
    expect(consoleErrors.filter((e) => !/status of (400|404)/.test(e))).toEqual([]);
  });
});

describe.skipIf(!HAS_CHROMIUM && !process.env.CI)("towns page names each town's organisation in Chromium", () => {
  let server: TestServer;
  let browser: OpenedPage;

  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    browser = await openPage({ width: 1280, height: 900, timeout: 8000 });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('tells two towns of one name in two organisations apart, and a personal one', async () => {
    const call = async (proc: string, input: unknown) => {
      const r = await server.post(`/trpc/${proc}`, input, server.adminToken);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body.result.data as { id: string };
    };
    const acme = await call('orgs.create', { name: 'Acme' });
    const globex = await call('orgs.create', { name: 'Globex' });
    const towns = {
      Acme: await call('towns.create', { name: 'Same Town', organizationId: acme.id }),
      Globex: await call('towns.create', { name: 'Same Town', organizationId: globex.id }),
      Personal: await call('towns.create', { name: 'Same Town' }),
    };
    const { page } = browser;
    await signIn(page, server.url, server.adminToken);
    for (const [owner, town] of Object.entries(towns)) {
      const card = page.locator('.town-card').filter({ has: page.locator(`a[href="/towns/${town.id}"]`) });
      await card.waitFor();
      expect(await card.locator('.town-name').textContent()).toBe('Same Town');
      expect(await card.locator('.town-owner').textContent()).toBe(owner === 'Personal' ? 'Personal' : `Organisation ${owner}`);
    }
  });
});
