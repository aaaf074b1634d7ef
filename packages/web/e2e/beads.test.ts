import { type RunningServer, startServer } from '@gasgauge/server';
import { tempDir } from '@gasgauge/server/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, type OpenedPage, openPage } from './browser.js';
import { ensureWebBuilt } from './build.js';
import { postJson, screenshot, trpcInputs } from './helpers.js';

/*
 * The Beads tab and a bead's page, end to end: the built UI, a real server, beads fed through the real
 * ingest API (bead events, agent events naming the bead they work on, usage attributed by them).
 */
const HAS_CHROMIUM = chromiumAvailable();
/** More beads than one page of the table (50) holds. */
const SMALL_BEADS = 55;

describe.skipIf(!HAS_CHROMIUM && !process.env.CI)('beads in Chromium', () => {
  let server: RunningServer;
  let adminToken: string;
  let townId: string;
  let ingest: string;
  /** When the beads were opened (40 minutes before the test). */
  let t0 = 0;
  let browser: OpenedPage;
  let page: Page;
  const trpcUrls: string[] = [];
  const consoleErrors: string[] = [];

  const trpc = async (proc: string, input: unknown) =>
    ((await postJson(`${server.url}/trpc/${proc}`, adminToken, input)) as { result: { data: unknown } }).result.data;
  /** A tRPC query (GET, as the browser's client sends it). */
  const query = async (proc: string, input: unknown) => {
    const res = await fetch(`${server.url}/trpc/${proc}?input=${encodeURIComponent(JSON.stringify(input))}`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    if (!res.ok) throw new Error(`GET ${proc}: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { result: { data: unknown } }).result.data;
  };
  /** The text of one column of the beads table, top to bottom. */
  const column = (n: number) =>
    page.locator('table.beads tbody tr').evaluateAll((rows, i) => rows.map((r) => (r.children[i]?.textContent ?? '').trim()), n);

  beforeAll(async () => {
    if (!HAS_CHROMIUM) throw new Error('/usr/bin/chromium is missing: install it with apt-get install -y chromium');
    ensureWebBuilt();
    server = await startServer({ dataDir: tempDir('gg-web-beads-'), port: 0, host: '127.0.0.1', tickMs: 200, log: () => {} });
    adminToken = server.adminToken as string;
    townId = ((await trpc('towns.create', { name: 'Bead Town' })) as { id: string }).id;
    ingest = ((await trpc('towns.mintIngestToken', { townId })) as { token: string }).token;
    t0 = Date.now() - 40 * 60_000;
    const min = 60_000;
    // gt-big: expensive, in review after two attempts; gt-long: cheap but many tokens (cache reads), long; gt-mid closed.
    await postJson(`${server.url}/api/towns/${townId}/events`, ingest, {
      events: [
        { id: 'b1', at: t0, type: 'bead', beadId: 'gt-big', status: 'open', title: 'Rewrite the ledger' },
        { id: 'b2', at: t0, type: 'bead', beadId: 'gt-long', status: 'open', title: 'Index every transcript' },
        { id: 'b3', at: t0, type: 'bead', beadId: 'gt-mid', status: 'open', title: 'Fix the login' },
        { id: 'b4', at: t0 + min, type: 'bead', beadId: 'gt-big', status: 'in_progress' },
        { id: 'b5', at: t0 + min, type: 'bead', beadId: 'gt-long', status: 'in_progress' },
        { id: 'b6', at: t0 + min, type: 'bead', beadId: 'gt-mid', status: 'in_progress' },
        { id: 'a1', at: t0 + min, type: 'agent', agentId: 'polecat-1', status: 'working', beadId: 'gt-big' },
        { id: 'a2', at: t0 + min, type: 'agent', agentId: 'polecat-2', status: 'working', beadId: 'gt-long' },
        { id: 'a3', at: t0 + min, type: 'agent', agentId: 'polecat-3', status: 'working', beadId: 'gt-mid' },
        { id: 'b7', at: t0 + 10 * min, type: 'bead', beadId: 'gt-big', status: 'blocked' },
        { id: 'b8', at: t0 + 12 * min, type: 'bead', beadId: 'gt-big', status: 'in_progress' },
        { id: 'b9', at: t0 + 15 * min, type: 'bead', beadId: 'gt-mid', status: 'closed' },
        { id: 'b10', at: t0 + 20 * min, type: 'bead', beadId: 'gt-big', status: 'in_review' },
        ...Array.from({ length: SMALL_BEADS }, (_, i) => ({
          id: `s${i}`,
          at: t0 + 2 * min + i,
          type: 'bead',
          beadId: `gt-s${String(i).padStart(2, '0')}`,
          status: 'open',
          title: `Small task ${i}`,
        })),
      ],
    });
    const usage = (id: string, agentId: string, at: number, costMicrodollars: number, more: object = {}) => ({
      id,
      agentId,
      model: 'claude-sonnet-4-5',
      inputTokens: 1000,
      outputTokens: 100,
      costMicrodollars,
      at,
      ...more,
    });
    await postJson(`${server.url}/api/towns/${townId}/usage`, ingest, {
      records: [
        ...Array.from({ length: 18 }, (_, i) => usage(`big-${i}`, 'polecat-1', t0 + (2 + i) * min, 400_000)),
        ...Array.from({ length: 30 }, (_, i) =>
          usage(`long-${i}`, 'polecat-2', t0 + (2 + i) * min, 10_000, { cacheReadTokens: 200_000 }),
        ),
        ...Array.from({ length: 10 }, (_, i) => usage(`mid-${i}`, 'polecat-3', t0 + (2 + i) * min, 50_000)),
        // Small beads, by explicit bead id on the record.
        ...Array.from({ length: SMALL_BEADS }, (_, i) =>
          usage(`s-${i}`, 'crew-1', t0 + 3 * min + i, 100 + i, { beadId: `gt-s${String(i).padStart(2, '0')}` }),
        ),
      ],
    });
    browser = await openPage({ watch: { trpcUrls, consoleErrors }, signIn: { url: server.url, token: adminToken } });
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lists beads most expensive first, sorts by a column header, and pages', async () => {
    await page.goto(`${server.url}/towns/${townId}`);
    await page.getByRole('link', { name: 'Beads', exact: true }).click();
    await page.waitForURL(`${server.url}/towns/${townId}/beads`);
    await page.locator('table.beads tbody tr').first().waitFor();
    expect((await column(0)).slice(0, 3)).toEqual(['gt-big', 'gt-mid', 'gt-long']);
    expect(await page.locator('th[aria-sort="descending"]').textContent()).toMatch(/^Cost/);
    expect(await page.locator('table.beads tbody tr').count()).toBe(50);
    await screenshot(page, 'beads');

    const before = trpcUrls.length;
    await page.getByRole('button', { name: 'Tokens in range', exact: true }).click();
    await page.waitForURL(/[?&]sort=tokens/);
    await expect.poll(async () => (await column(0)).slice(0, 3)).toEqual(['gt-long', 'gt-big', 'gt-mid']);
    expect(await page.locator('th[aria-sort="descending"]').textContent()).toMatch(/^Tokens/);
    expect(trpcUrls.slice(before).flatMap((u) => trpcInputs(u, 'beads.list'))).toContainEqual(
      expect.objectContaining({ townId, sort: 'tokens' }),
    );
    await screenshot(page, 'beads-by-tokens');

    // 58 beads: the second page holds the last 8, and Previous returns to the first.
    await page.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(() => page.locator('table.beads tbody tr').count()).toBe(SMALL_BEADS + 3 - 50);
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await expect.poll(async () => (await column(0))[0]).toBe('gt-long');

    await page.getByLabel('Status', { exact: true }).selectOption('closed');
    await page.waitForURL(/[?&]status=closed/);
    await expect.poll(() => column(0)).toEqual(['gt-mid']);
  });

  it("shows a bead's page: totals, time per status, cost chart and timeline", async () => {
    await page.goto(`${server.url}/towns/${townId}/beads`);
    await page.getByRole('link', { name: 'gt-big' }).click();
    await page.waitForURL(/\/bead\?id=gt-big$/);
    await page.getByRole('heading', { name: /gt-big/ }).waitFor();
    await page.waitForFunction(() => performance.getEntriesByName('charts-drawn').length > 0);
    expect(await page.getByRole('figure', { name: 'Cost over time' }).count()).toBe(1);
    const fact = (term: string) => page.locator('.bead-facts div', { has: page.locator(`dt:text-is("${term}")`) }).locator('dd');
    expect(await fact('Cost').textContent()).toBe('$7.20');
    expect(await fact('Attempts').textContent()).toBe('2');
    expect(await fact('Agents').textContent()).toBe('polecat-1');
    expect(await fact('Time blocked').textContent()).toBe('2 min');
    const timeline = page.getByRole('region', { name: 'Timeline' }).locator('li');
    expect(await timeline.count()).toBeGreaterThanOrEqual(5);
    expect(await timeline.first().textContent()).toContain('in review');
    await screenshot(page, 'bead-page');

    const missing = `${server.url}/towns/${townId}/bead?id=${encodeURIComponent('no such bead')}`;
    await page.goto(missing);
    await page.getByRole('heading', { name: 'Bead not found' }).waitFor();
  });

  it("heads the list's cost and tokens as the range's, which a bead's page, over its whole life, exceeds", async () => {
    // gt-big spent $0.40 a minute from t0 + 2 min to t0 + 19 min ($7.20): a range of five of those minutes holds $2.00.
    const from = t0 + 2 * 60_000;
    await page.goto(`${server.url}/towns/${townId}/beads?from=${from}&to=${from + 5 * 60_000}`);
    const row = page.locator('table.beads tbody tr', { has: page.getByRole('link', { name: 'gt-big' }) });
    await row.waitFor();
    expect(await page.getByRole('columnheader', { name: 'Cost in range' }).count()).toBe(1);
    expect(await page.getByRole('columnheader', { name: 'Tokens in range' }).count()).toBe(1);
    expect(await page.getByRole('columnheader', { name: 'Duration', exact: true }).count()).toBe(1);
    expect(await row.locator('td').nth(3).textContent()).toBe('$2.00');
    // A bead's children are over their whole lives: their headers name no range.
    await page.goto(`${server.url}/towns/${townId}/bead?id=gt-big`);
    await page.getByRole('heading', { name: /gt-big/ }).waitFor();
    expect(await page.getByText('in range').count()).toBe(0);
  });

  it('says of what each share of the spend is: the never-closed one of the spend on beads, the no-bead one of all of it', async () => {
    await page.goto(`${server.url}/towns/${townId}/beads`);
    const card = (term: string) => page.locator('.bead-stats div', { has: page.locator('dt', { hasText: term }) }).locator('dd');
    await expect.poll(() => card('Spend on no bead').textContent()).toMatch(/ of \$/);
    const dollars = (s: string) => Number(s.replace(/[$,]/g, ''));
    const noBead = (await card('Spend on no bead').textContent()) ?? '';
    const [, bead, total] = noBead.match(/^(\$[\d.,]+) · \d+ % of (\$[\d.,]+)$/) ?? [];
    const neverClosed = (await card('Spend on beads never closed').textContent()) ?? '';
    const [, onBeads] = neverClosed.match(/^\d+ % of (\$[\d.,]+) on beads$/) ?? [];
    expect(onBeads, neverClosed).toBeDefined();
    // Shown to three figures: the spend on beads is the total less the spend on no bead, to a cent in a dollar.
    expect(Math.abs(dollars(total ?? '') - dollars(bead ?? '') - dollars(onBeads ?? ''))).toBeLessThan(
      dollars(total ?? '') / 100,
    );
  });

  it('links the event feed and the agent table to beads', async () => {
    await page.goto(`${server.url}/towns/${townId}`);
    const feed = page.getByRole('region', { name: 'Event feed' });
    await feed.getByRole('link', { name: 'gt-mid' }).first().click();
    await page.waitForURL(/\/bead\?id=gt-mid$/);
    await page.getByRole('heading', { name: /gt-mid/ }).waitFor();

    await page.goto(`${server.url}/towns/${townId}`);
    const row = page.getByRole('row', { name: /polecat-1/ });
    await row.getByRole('link', { name: 'gt-big' }).waitFor();
    expect(await page.getByRole('columnheader', { name: 'Cost, last hour' }).count()).toBe(1);
    expect(await page.getByRole('columnheader', { name: 'Current bead cost' }).count()).toBe(1);
  });

  it('opens the page of a bead whose id has a bidi control, showing it as a visible code point', async () => {
    await postJson(`${server.url}/api/towns/${townId}/events`, ingest, {
      events: [{ id: 'evil-1', at: Date.now(), type: 'bead', beadId: 'gt-\u202Eevil', status: 'open', title: 'odd \u2067name' }],
    });
    // From the event feed, where it is the newest event (the table lists it on its second page).
    await page.goto(`${server.url}/towns/${townId}`);
    await page.getByRole('region', { name: 'Event feed' }).getByRole('link', { name: 'gt-⟨U+202E⟩evil' }).click();
    await page.waitForURL(/\/bead\?id=gt-%E2%80%AEevil$/);
    await page.getByRole('heading', { name: /gt-⟨U\+202E⟩evil/ }).waitFor();
    const raw = await page.evaluate(() => /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/.test(document.body.innerHTML));
    expect(raw).toBe(false);
  });

  it('saves the runaway rules from the form, and refuses a bad amount naming the field', async () => {
    await page.goto(`${server.url}/towns/${townId}/beads`);
    const form = page.locator('.rules-form');
    await form.waitFor();
    await form.getByLabel('Limit, dollars').fill('abc');
    await form.getByRole('button', { name: 'Save rules' }).click();
    await form.getByRole('alert').waitFor();
    expect(await form.getByLabel('Limit, dollars').getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('spendRateUsd');

    await form.getByLabel('Limit, dollars').fill('2.5');
    await form.getByLabel('Window, minutes').fill('15');
    await form.getByLabel(/^Cap, dollars/).fill('12');
    // Only the spend rate flags the agent of the next test.
    await form.getByRole('checkbox', { name: /whose lines of code/ }).uncheck();
    await form.getByRole('button', { name: 'Save rules' }).click();
    await form.getByText('Saved.').waitFor();
    expect(await query('towns.getRunawayRules', { townId })).toMatchObject({
      spendRate: { enabled: true, microdollars: 2_500_000, windowMinutes: 15 },
      noProgress: { enabled: false },
      beadBudgetMicrodollars: 12_000_000,
    });
  });

  it('marks an agent a runaway rule flags, on the overview and beside the rules', async () => {
    // Over the $2.50 in 15 minutes saved above: the next tick (200 ms) opens an episode.
    await postJson(`${server.url}/api/towns/${townId}/usage`, ingest, {
      records: [
        {
          id: 'run-1',
          agentId: 'runner-1',
          model: 'm',
          inputTokens: 10,
          outputTokens: 1,
          costMicrodollars: 3_000_000,
          at: Date.now(),
        },
      ],
    });
    await expect
      .poll(async () => ((await query('towns.getRunawayRules', { townId })) as { episodes: { subject: string }[] }).episodes, {
        timeout: 10_000,
      })
      .toContainEqual(expect.objectContaining({ rule: 'spendRate', subject: 'runner-1' }));
    await page.goto(`${server.url}/towns/${townId}`);
    const row = page.getByRole('row', { name: /runner-1/ });
    await row.getByText('runaway: spend rate').waitFor({ timeout: 10_000 });
    expect(await row.getAttribute('class')).toContain('runaway');
    await page
      .getByRole('region', { name: 'Event feed' })
      .getByText('Runaway: runner-1 spent $3.00 in 15 min (limit $2.50)')
      .waitFor();
    // Each event's type fits inside its badge's padding, "runaway" the widest: it ran into it, to the pill's edge.
    const badges = await page.locator('.feed .badge').evaluateAll((els) =>
      els.map((el) => {
        const range = document.createRange();
        range.selectNodeContents(el);
        const style = getComputedStyle(el);
        const room = el.clientWidth - Number.parseFloat(style.paddingLeft) - Number.parseFloat(style.paddingRight);
        return { text: el.textContent, over: Math.round(range.getBoundingClientRect().width - room) };
      }),
    );
    expect(badges.map((b) => b.text)).toContain('runaway');
    expect(badges.filter((b) => b.over > 0)).toEqual([]);
    await screenshot(page, 'overview-runaway');

    await page.goto(`${server.url}/towns/${townId}/beads`);
    await page.locator('.episodes li', { hasText: 'runner-1' }).waitFor();
    await screenshot(page, 'beads-rules');
  });

  it("keeps each runaway rule's label on the line of its field, on a phone", async () => {
    // At 390 px "Window, minutes" ended a line and its field began the next one.
    await page.goto(`${server.url}/towns/${townId}/beads`);
    await page.locator('.rules-form').waitFor();
    try {
      for (const width of [390, 320]) {
        await page.setViewportSize({ width, height: 844 });
        const apart = await page.locator('.rules-form .rule-line label').evaluateAll((labels) =>
          labels.flatMap((label) => {
            const input = document.getElementById(label.getAttribute('for') ?? '');
            if (!input) return [`${label.textContent}: no field`];
            const a = label.getBoundingClientRect();
            const b = input.getBoundingClientRect();
            // On one line: the field's vertical middle within the label's lines.
            const middle = (b.top + b.bottom) / 2;
            return middle >= a.top && middle <= a.bottom
              ? []
              : [`${label.textContent}: field ${Math.round(b.top - a.top)} px below`];
          }),
        );
        expect(apart, `${width} px`).toEqual([]);
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('logs no script errors', () => {
    expect(consoleErrors.filter((e) => !/status of 404/.test(e))).toEqual([]);
  });
});
