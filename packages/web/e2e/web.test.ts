import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type RunningServer, startServer } from '@gasgauge/server';
import { tempDir } from '@gasgauge/server/testing';
import type { Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, type OpenedPage, openPage } from './browser.js';
import { ensureWebBuilt } from './build.js';
import { crossSitePage, meterValue, postJson, screenshot, timeseriesInputs, trpcInputs } from './helpers.js';

/*
 * End to end: the built UI, served by a real server (port 0, 200 ms ticks, a temp data dir), driven
 * in Debian's Chromium. Skipped (with a message) only when Chromium is missing outside CI; in CI a
 * missing browser fails the run.
 */
const HAS_CHROMIUM = chromiumAvailable();
if (!HAS_CHROMIUM && !process.env.CI) {
  console.warn('packages/web/e2e: skipped, /usr/bin/chromium is missing (apt-get install -y chromium). In CI this fails.');
}

/** West of UTC, where UTC day buckets would be labelled a day early. */
const TIME_ZONE = 'America/Los_Angeles';

const CLI = resolve(fileURLToPath(new URL('../../server/bin/gasgauge.mjs', import.meta.url)));

describe.skipIf(!HAS_CHROMIUM && !process.env.CI)('web UI in Chromium', () => {
  let server: RunningServer;
  let dataDir: string;
  let adminToken: string;
  let townId: string;
  let ingestToken: string;
  let browser: OpenedPage;
  let page: Page;
  const trpcUrls: string[] = [];
  /** Errors the page logged (CSP violations, failed scripts): there should be none but expected 401s. */
  const consoleErrors: string[] = [];

  const trpc = async (proc: string, input: unknown) =>
    ((await postJson(`${server.url}/trpc/${proc}`, adminToken, input)) as { result: { data: unknown } }).result.data;

  beforeAll(async () => {
    if (!HAS_CHROMIUM) throw new Error('/usr/bin/chromium is missing: install it with apt-get install -y chromium');
    ensureWebBuilt();
    dataDir = tempDir('gg-web-e2e-');
    server = await startServer({ dataDir, port: 0, host: '127.0.0.1', tickMs: 200, log: () => {} });
    adminToken = server.adminToken as string;
    townId = ((await trpc('towns.create', { name: 'Gas Town' })) as { id: string }).id;
    ingestToken = ((await trpc('towns.mintIngestToken', { townId })) as { token: string }).token;
    browser = await openPage({ timezoneId: TIME_ZONE, watch: { trpcUrls, consoleErrors } });
    page = browser.page;
  });

  it('logs no script errors and no Content-Security-Policy violations', () => {
    // After sign-out a request or two may be refused (401) before the redirect, and the stopped server refuses connections.
    const unexpected = consoleErrors.filter((e) => !/status of 401|ERR_CONNECTION_REFUSED|ERR_INTERNET_DISCONNECTED/.test(e));
    expect(unexpected).toEqual([]);
  });

  afterAll(async () => {
    // The browser first: its live stream would keep the server's close waiting.
    await browser?.close();
    await server?.close();
  });

  it('signs in with a one-time link clicked on another site, and lands on the town', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      CLI,
      'login-link',
      '--user',
      'admin',
      '--next',
      `/towns/${townId}`,
      '--data',
      dataDir,
      '--json',
    ]);
    const link = JSON.parse(stdout) as { url: string; expiresAt: number };
    expect(link.url.startsWith(`${server.url}/auth/link?code=ggl_`)).toBe(true);
    expect(link.expiresAt).toBeGreaterThan(Date.now());

    const elsewhere = await crossSitePage(link.url);
    try {
      await page.goto(elsewhere.url);
      await page.click('#go');
      await page.waitForURL(`${server.url}/towns/${townId}`);
      await page.getByRole('meter', { name: 'Tokens per second', exact: true }).waitFor();
    } finally {
      await elsewhere.close();
    }
    expect(await page.evaluate(() => document.cookie)).not.toContain('gg_session'); // HttpOnly
    await expect(page.getByRole('heading', { name: 'No data from this town yet' }).isVisible()).resolves.toBe(true);
    // The commands to connect it: a token file, and the reporter (gasgauge report) reading it, on this server's address.
    const commands = await page.locator('pre.command').allTextContents();
    expect(commands.slice(0, 2)).toEqual([
      `npx gasgauge token mint --town ${townId} --ttl 8h > token`,
      `npx gasgauge report --server ${server.url} --town ${townId} --token-file token`,
    ]);
    await screenshot(page, 'overview-empty');
    // Its charts say where to start too, not only "No data in this range" on each.
    await page.goto(`${server.url}/towns/${townId}/observability`);
    const banner = page.locator('p.banner', { hasText: 'No data from this town yet' });
    await banner.waitFor();
    expect(await banner.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual([
      `/towns/${townId}`,
      `/towns/${townId}/settings`,
    ]);

    // The link was used up.
    await page.goto(link.url);
    await page.waitForURL(/\/login\?error=link_expired/);
  });

  it('moves a gauge within a second of an ingest, and fills the agent table and event feed', async () => {
    await page.goto(`${server.url}/towns/${townId}`);
    const meter = page.getByRole('meter', { name: 'Tokens per second', exact: true });
    await page.waitForFunction(() => document.querySelector('[aria-label="Tokens per second"]')?.hasAttribute('aria-valuenow'));
    expect(await meterValue(page, 'Tokens per second')).toBe(0);
    for (const name of ['Cost per hour', 'Lines of code', 'Active agents', 'Beads closed per hour', 'Gas tank']) {
      await expect(page.getByRole('meter', { name, exact: true }).count()).resolves.toBe(1);
    }
    // The admin's account was never granted credits and burns nothing: $0, no credits, no alarm (billing.test.ts fills it).
    const tank = page.getByRole('meter', { name: 'Gas tank', exact: true });
    await expect.poll(() => tank.getAttribute('aria-valuetext')).toBe('$0 left, no credits, nothing burning');
    expect(await meterValue(page, 'Gas tank')).toBe(0);
    expect(await tank.getAttribute('class')).toContain('tone-neutral');

    const at = Date.now();
    await postJson(`${server.url}/api/towns/${townId}/events`, ingestToken, {
      events: [{ id: 'ev-1', at, type: 'agent', agentId: 'polecat-1', role: 'polecat', status: 'working', beadId: 'gt-1' }],
    });
    const sent = performance.now();
    await postJson(`${server.url}/api/towns/${townId}/usage`, ingestToken, {
      records: [
        {
          id: 'msg-1',
          agentId: 'polecat-1',
          model: 'claude-sonnet-4-5',
          inputTokens: 60_000,
          outputTokens: 3000,
          costMicrodollars: 225_000,
          at,
        },
      ],
    });
    await page.waitForFunction(
      () => Number(document.querySelector('[aria-label="Tokens per second"]')?.getAttribute('aria-valuenow')) > 0,
      undefined,
      { timeout: 5000 },
    );
    const latencyMs = performance.now() - sent;
    // 63,000 tokens over the 5-minute window.
    expect(await meter.getAttribute('aria-valuenow')).toBe('210');
    expect(latencyMs).toBeLessThan(2000);
    await page.getByRole('cell', { name: 'gt-1' }).waitFor();
    await page.getByText('polecat-1 is working on gt-1').waitFor();
    expect(await meterValue(page, 'Active agents')).toBe(1);
    // Every column of the agents table fits at a laptop's width: no sideways scrolling to see what an agent costs.
    const scroll = page.locator('.table-scroll[aria-label="Agents"]');
    expect(await scroll.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
    // Only Live / Stale is a live region; the age ("last data 3 s ago") changes every second outside it.
    await page.locator('.live-age').waitFor();
    expect(await page.locator('.live-badge [role="status"]').textContent()).toBe('Live');
    expect(await page.locator('.live-age').evaluate((el) => el.closest('[role="status"], [aria-live]') === null)).toBe(true);
    await screenshot(page, 'overview');
    console.log(`gauge updated ${Math.round(latencyMs)} ms after the ingest was sent`);
  });

  it('pages the agent table, and refetches a small feed with 500 notes of 16 KiB stored', async () => {
    // The events part of every tRPC batch the overview fetches from here on, in bytes.
    const feedBytes: number[] = [];
    const onResponse = async (res: Response) => {
      const procs = new URL(res.url()).pathname.replace(/^\/trpc\//, '').split(',');
      const i = procs.indexOf('metrics.events');
      if (i < 0) return;
      const batch = (await res.json()) as unknown[];
      feedBytes.push(Buffer.byteLength(JSON.stringify(batch[i])));
    };
    page.on('response', onResponse);
    try {
      const at = Date.now();
      const crew = Array.from({ length: 120 }, (_, i) => ({
        id: `crew-ev-${i}`,
        at,
        type: 'agent',
        agentId: `crew-${String(i).padStart(3, '0')}`,
        status: 'idle',
      }));
      await postJson(`${server.url}/api/towns/${townId}/events`, ingestToken, { events: crew });
      for (let from = 0; from < 500; from += 50) {
        const notes = Array.from({ length: 50 }, (_, k) => ({
          id: `log-${from + k}`,
          at: at + from + k,
          type: 'note',
          name: `build log ${from + k}`,
          data: { text: 'x'.repeat(16_000) },
        }));
        await postJson(`${server.url}/api/towns/${townId}/events`, ingestToken, { events: notes });
      }
      await page.getByText('build log 499', { exact: true }).waitFor();
      const rows = page.locator('table.agents tbody tr');
      await expect.poll(() => rows.count()).toBe(100);
      await page.getByRole('button', { name: 'Show more agents' }).click();
      await expect.poll(() => rows.count()).toBe(121); // crew-000…119 and polecat-1 (live-refresh.test.ts: under ingest)
      expect(await page.getByRole('button', { name: 'Show more agents' }).count()).toBe(0);
      const seen = feedBytes.length;
      // An ingest pushes within a second, and the push refetches the feed (allow for a loaded machine).
      await postJson(`${server.url}/api/towns/${townId}/events`, ingestToken, {
        events: [{ id: 'feed-push', at: Date.now(), type: 'agent', agentId: 'crew-000', status: 'working' }],
      });
      await expect.poll(() => feedBytes.length, { timeout: 15_000 }).toBeGreaterThan(seen);
    } finally {
      page.off('response', onResponse);
    }
    console.log(`feed refetches with 500 big notes stored: ${feedBytes.join(', ')} bytes`);
    expect(Math.max(...feedBytes)).toBeLessThan(16 * 1024);
  });

  it("shows bidi controls and zero-width characters in reporters' names as visible code points, never raw, on the overview and the charts", async () => {
    const evil = 'evil\u202Egnp.exe';
    const at = Date.now();
    await postJson(`${server.url}/api/towns/${townId}/events`, ingestToken, {
      events: [
        { id: 'bidi-1', at, type: 'agent', agentId: evil, role: '\u2067polecat', status: 'idle', beadId: 'gt-\u202D9' },
        {
          id: 'bidi-2',
          at,
          type: 'bead',
          beadId: 'gt-\u202D9',
          status: 'open',
          title: 'fix \u202Ereadme.md\u202C now',
          assigneeAgentId: evil,
        },
        { id: 'bidi-3', at, type: 'note', name: 'deploy \u200F\u061C\u2066done\u2069' },
        // Two agents that differ from polecat-zw by invisible characters only; scripts and emoji that need joiners.
        { id: 'zw-1', at, type: 'agent', agentId: 'polecat-zw', status: 'idle' },
        { id: 'zw-2', at, type: 'agent', agentId: 'polecat\u200B-zw\u2060', status: 'idle' },
        { id: 'zw-3', at, type: 'agent', agentId: '\uFEFFpole\u00ADcat-zw', status: 'idle' },
        // And one that differs by a Cyrillic о that passes for the Latin o.
        { id: 'zw-5', at, type: 'agent', agentId: 'p\u043Elecat-zw', status: 'idle' },
        { id: 'zw-4', at, type: 'note', name: 'joined می\u200Cخواهم क्\u200Dष 👩\u200D💻 ภาษา\u200Bไทย' },
      ],
    });
    await postJson(`${server.url}/api/towns/${townId}/usage`, ingestToken, {
      // Ten minutes ago: in the chart's range, outside the 5-minute rates the next test checks.
      records: [
        {
          id: 'bidi-u',
          agentId: evil,
          model: 'm\u202Bodel',
          inputTokens: 10,
          outputTokens: 1,
          costMicrodollars: 5,
          at: at - 600_000,
        },
      ],
    });
    /** Bidi controls anywhere in the page's text or attributes. */
    const rawControls = () =>
      page.evaluate(() => {
        const re = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u00AD\u2060\uFEFF]|[^\u0E00-\u0E7F]\u200B/;
        const hits: string[] = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) if (re.test(n.nodeValue ?? '')) hits.push(n.nodeValue ?? '');
        for (const el of Array.from(document.querySelectorAll('*'))) {
          for (const a of Array.from(el.attributes)) if (re.test(a.value)) hits.push(`${el.tagName}[${a.name}]=${a.value}`);
        }
        if (re.test(document.title)) hits.push(document.title);
        return hits;
      });

    await page.goto(`${server.url}/towns/${townId}/observability?range=15m&by=model`);
    await page.getByRole('button', { name: 'm⟨U+202B⟩odel' }).waitFor();
    expect(await rawControls()).toEqual([]);

    // Last on the overview, where the next test expects the live badge.
    await page.goto(`${server.url}/towns/${townId}`);
    const row = page.getByRole('rowheader', { name: 'evil⟨U+202E⟩gnp.exe' });
    // The table shows 100 agents by id; the crew of the paging test above comes first.
    await page.getByRole('button', { name: 'Show more agents' }).click();
    await row.waitFor();
    expect(await row.locator('bdi').count()).toBe(1);
    await page.getByText('gt-⟨U+202D⟩9 open · fix ⟨U+202E⟩readme.md⟨U+202C⟩ now (evil⟨U+202E⟩gnp.exe)').waitFor();
    await page.getByText('deploy ⟨U+200F⟩⟨U+061C⟩⟨U+2066⟩done⟨U+2069⟩').waitFor();
    for (const id of ['polecat-zw', 'polecat⟨U+200B⟩-zw⟨U+2060⟩', '⟨U+FEFF⟩pole⟨U+00AD⟩cat-zw', 'p⟨U+043E⟩lecat-zw'])
      await page.getByRole('rowheader', { name: id, exact: true }).waitFor();
    await page.getByText('joined می\u200Cخواهم क्\u200Dष 👩\u200D💻 ภาษา\u200Bไทย', { exact: true }).waitFor();
    expect(await rawControls()).toEqual([]);
  });

  it('says the data is stale when the server goes away, and reconnects when it is back', async () => {
    await page.locator('[data-live="live"]').waitFor();
    const { port } = server;
    await server.close();
    await page.getByText('Live updates interrupted', { exact: false }).waitFor({ timeout: 10_000 });
    await screenshot(page, 'overview-stale');
    // The same data dir and port: the session (in the control database) is still valid.
    server = await startServer({ dataDir, port, host: '127.0.0.1', tickMs: 200, log: () => {} });
    await page.locator('[data-live="live"]').waitFor({ timeout: 15_000 });
    expect(await page.getByText('Live updates interrupted', { exact: false }).count()).toBe(0);
    expect(await meterValue(page, 'Tokens per second')).toBe(210);
  });

  it('zooms every chart with a drag, puts the range in the URL and queries it; reload keeps it; Back returns', async () => {
    // A past hour of usage, so the charts have something to draw.
    const now = Date.now();
    await postJson(`${server.url}/api/towns/${townId}/usage`, ingestToken, {
      records: Array.from({ length: 120 }, (_, i) => ({
        id: `hist-${i}`,
        agentId: i % 2 ? 'polecat-1' : 'polecat-2',
        model: i % 3 ? 'claude-sonnet-4-5' : 'gpt-5',
        inputTokens: 1000 + i * 10,
        outputTokens: 200 + i,
        cacheReadTokens: 5000,
        costMicrodollars: 9000 + i * 50,
        at: now - 3_600_000 + i * 30_000,
        mode: 'delta',
      })),
    });
    const beforeLoad = trpcUrls.length;
    const asked = page.waitForResponse((r) => r.url().includes('metrics.throughput'));
    await page.goto(`${server.url}/towns/${townId}/observability?range=1h`);
    await page.waitForFunction(() => performance.getEntriesByName('charts-drawn').length > 0);
    await asked;
    // A town with data: no "no data yet" banner.
    expect(await page.locator('p.banner', { hasText: 'No data from this town yet' }).count()).toBe(0);
    await screenshot(page, 'observability');
    // Gauges the server samples while it runs say where their samples start; the usage sent with its times does not.
    const utilisation = page.getByRole('figure', { name: 'Agent utilisation' });
    await expect
      .poll(() => utilisation.locator('.chart-note').textContent())
      .toMatch(/^Sampled while the server runs: nothing in this range before \d+ \w+, \d\d:\d\d\.$/);
    expect(await page.getByRole('figure', { name: 'Token throughput' }).locator('.chart-note').count()).toBe(0);
    // Day buckets at the browser's midnight: every timeseries and breakdown names its zone.
    await expect
      .poll(() => trpcUrls.slice(beforeLoad).flatMap((u) => trpcInputs(u, 'metrics.breakdown')).length)
      .toBeGreaterThan(0);
    const loaded = trpcUrls.slice(beforeLoad);
    const inputs = [...loaded.flatMap(timeseriesInputs), ...loaded.flatMap((u) => trpcInputs(u, 'metrics.breakdown'))];
    expect(inputs.length).toBeGreaterThanOrEqual(3);
    for (const input of inputs) expect(input).toMatchObject({ townId, tz: TIME_ZONE });
    // The picked range is announced by name; the resolved times, which move on every auto-refresh, are not a live region.
    const announcement = page.locator('.range-picker [aria-live]');
    expect(await announcement.count()).toBe(1);
    expect(await announcement.textContent()).toBe('Range: the last hour');
    expect(await page.locator('.range-text').getAttribute('aria-live')).toBeNull();

    const plot = page.locator('.chart').first().locator('.u-over');
    const box = await plot.boundingBox();
    if (!box) throw new Error('no chart plot');
    const before = trpcUrls.length;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.3, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.45, y, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.6, y, { steps: 5 });
    await page.mouse.up();
    await page.waitForURL(/from=\d+&to=\d+/);
    await expect.poll(() => announcement.textContent()).toMatch(/^Range: \d\d:\d\d:\d\d to \d\d:\d\d:\d\d$/);
    const q = new URL(page.url()).searchParams;
    const from = Number(q.get('from'));
    const to = Number(q.get('to'));
    // About 30 % to 60 % of the hour.
    expect(to - from).toBeGreaterThan(900_000);
    expect(to - from).toBeLessThan(1_200_000);
    await expect
      .poll(() => trpcUrls.slice(before).flatMap(timeseriesInputs))
      .toContainEqual(expect.objectContaining({ townId, from, to, maxPoints: expect.any(Number) }));
    const redraw = await page.evaluate(() => performance.getEntriesByName('zoom-redraw')[0]?.duration ?? null);
    expect(redraw).not.toBeNull();
    await page.waitForFunction(() => !document.querySelector('.charts[aria-busy="true"]'));
    await screenshot(page, 'observability-zoomed');

    const zoomedUrl = page.url();
    const beforeReload = trpcUrls.length;
    await page.reload();
    await page.waitForFunction(() => performance.getEntriesByName('charts-drawn').length > 0);
    expect(page.url()).toBe(zoomedUrl);
    expect(trpcUrls.slice(beforeReload).flatMap(timeseriesInputs)).toContainEqual(expect.objectContaining({ from, to }));
    expect(await page.getByRole('button', { name: 'Custom' }).getAttribute('aria-pressed')).toBe('true');

    await page.goBack();
    await page.waitForURL(/\?range=1h$/);
    expect(await page.getByRole('button', { name: '1h', exact: true }).getAttribute('aria-pressed')).toBe('true');
    // Opening the custom form changes no range: 1h stays the one pressed, Custom only expanded (both looked selected).
    const customButton = page.getByRole('button', { name: 'Custom' });
    await customButton.click();
    await page.getByLabel('From').waitFor();
    expect(await customButton.getAttribute('aria-expanded')).toBe('true');
    expect(await page.locator('.range-picker [aria-pressed="true"]').allTextContents()).toEqual(['1h']);
    await customButton.click();
    await page.getByLabel('From').waitFor({ state: 'detached' });

    // Double-click resets a zoom to the preset it came from.
    await page.goForward();
    await page.waitForURL(zoomedUrl);
    await plot.dblclick();
    await page.waitForURL(/\?range=1h$/);
  });

  it("sends the charts' request before drawing any chart, then draws them with the answer", async () => {
    // Six empty charts drawn first cost a load ~40 ms of canvas work before the batched request went out.
    await page.goto('about:blank'); // no refresh of the previous page's charts is caught below
    let release: () => void = () => {};
    const held = new Promise<number>((resolveHeld) => {
      void page.route(
        (u) => u.pathname.startsWith('/trpc/') && u.pathname.includes('metrics.timeseries'),
        async (route) => {
          resolveHeld(await page.evaluate(() => document.querySelectorAll('.chart canvas').length));
          await new Promise<void>((r) => {
            release = r;
          });
          await route.continue();
        },
        { times: 1 },
      );
    });
    await page.goto(`${server.url}/towns/${townId}/observability?range=1h`);
    expect(await held).toBe(0);
    expect(await page.locator('.chart').count()).toBeGreaterThan(0);
    release();
    await page.waitForFunction(() => performance.getEntriesByName('charts-drawn').length > 0);
    expect(await page.locator('.chart canvas').count()).toBeGreaterThan(0);
  });

  it('announces a picked range, but not the auto-refresh that moves it', async () => {
    await page.goto(`${server.url}/towns/${townId}/observability?range=15m`);
    const shown = page.locator('.range-text');
    const announcement = page.locator('.range-picker [aria-live]');
    await shown.waitFor();
    const before = await shown.textContent();
    expect(await announcement.textContent()).toBe('Range: the last 15 minutes');
    // 15 minutes has buckets of seconds: auto-refresh moves the range (shown to the second) within seconds.
    await page.waitForFunction((text) => document.querySelector('.range-text')?.textContent !== text, before, {
      timeout: 15_000,
    });
    expect(await announcement.textContent()).toBe('Range: the last 15 minutes');
    await page.getByRole('button', { name: '6h', exact: true }).click();
    await expect.poll(() => announcement.textContent()).toBe('Range: the last 6 hours');
  });

  it('signs out: the session no longer works and the app goes to /login', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${server.url}/login`);
    const me = await browser.context.request.get(`${server.url}/auth/me`);
    expect(me.status()).toBe(401);
    await page.goto(`${server.url}/towns/${townId}`);
    await page.waitForURL(/\/login\?next=/);
    await screenshot(page, 'login');
  });

  it('signs in with an API token on the form, which never reaches the page script', async () => {
    await page.goto(`${server.url}/login`);
    await page.fill('#token', 'ggu_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    await screenshot(page, 'login-error');

    await page.fill('#token', adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/`);
    await page.getByRole('link', { name: /Gas Town/ }).waitFor();
    await page.locator('.sparkline canvas').first().waitFor();
    await screenshot(page, 'towns');
    expect(await page.evaluate(() => JSON.stringify(localStorage) + document.cookie)).not.toContain('ggu_');

    // A mutation from the page: the cookie authenticates it and the browser's Origin passes the check.
    await page.fill('#town-name', 'Second Town');
    await page.getByRole('button', { name: 'Create town' }).click();
    await page.waitForURL(/\/towns\/town_\w+$/);
    await page.getByRole('heading', { name: 'Second Town' }).waitFor();
  });

  it('keeps the page when /auth/me fails with anything but 401, says the server is unreachable, and retries', async () => {
    const path = `/towns/${townId}`;
    let calls = 0;
    // A restarting server: a 503 from a proxy, then no answer at all, then the real answer.
    await page.route('**/auth/me', (route) => {
      calls++;
      if (calls === 1) return route.fulfill({ status: 503, contentType: 'text/plain', body: 'restarting' });
      if (calls === 2) return route.abort('connectionrefused');
      return route.fallback();
    });
    try {
      await page.goto(server.url + path);
      const banner = page.getByText('Server unreachable', { exact: false });
      await banner.waitFor();
      expect(await banner.getAttribute('role')).toBe('status');
      await screenshot(page, 'session-unreachable');
      await banner.waitFor({ state: 'detached', timeout: 15_000 });
      expect(calls).toBeGreaterThanOrEqual(3);
      expect(new URL(page.url()).pathname).toBe(path);
      await page.getByRole('meter', { name: 'Tokens per second', exact: true }).waitFor();
    } finally {
      await page.unroute('**/auth/me');
    }
  });

  it('rebuilds a sparkline from its latest data when the theme changes', async () => {
    const sparkTown = ((await trpc('towns.create', { name: 'Spark Town' })) as { id: string }).id;
    const sparkToken = ((await trpc('towns.mintIngestToken', { townId: sparkTown })) as { token: string }).token;
    // Its own browser: the fake clock (to reach the cards' 30 s refetch at once) must not touch the page above.
    const other = await openPage({ timezoneId: TIME_ZONE, signIn: { url: server.url, token: adminToken } });
    try {
      const p = other.page;
      await p.clock.install();
      const answered = () =>
        p.waitForResponse((r) => r.url().includes('metrics.timeseries') && r.url().includes(sparkTown) && r.ok());
      let answer = answered();
      await p.goto(`${server.url}/`);
      await answer;
      const card = p.locator('li.town-card', { hasText: 'Spark Town' });
      /** Pixels the sparkline has drawn (its canvas is replaced when the theme changes). */
      const inked = () =>
        card.locator('.sparkline canvas').evaluate((c: HTMLCanvasElement) => {
          const { data } = (c.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, c.width, c.height);
          let n = 0;
          for (let i = 3; i < data.length; i += 4) if ((data[i] as number) > 0) n++;
          return n;
        });
      await card.locator('.sparkline canvas').waitFor();
      expect(await inked()).toBe(0); // no usage yet: nothing to draw, and the caption says why
      const caption = card.locator('.town-spark .small');
      expect(await caption.textContent()).toBe('no spend in the last hour');

      await postJson(`${server.url}/api/towns/${sparkTown}/usage`, sparkToken, {
        // Minutes in a row: a line needs two neighbouring buckets.
        records: [1, 2, 3, 4, 5].map((i) => ({
          id: `spark-${i}`,
          agentId: 'a',
          model: 'm',
          inputTokens: 500,
          outputTokens: 50,
          costMicrodollars: 90_000 * i,
          at: Date.now() - i * 60_000,
        })),
      });
      answer = answered();
      await p.clock.fastForward(31_000);
      await answer;
      await expect.poll(inked).toBeGreaterThan(0);
      expect(await caption.textContent()).toBe('cost, last hour');

      const themed = await p.evaluate(() => document.documentElement.dataset.theme);
      for (let i = 0; i < 3 && (await p.evaluate(() => document.documentElement.dataset.theme)) === themed; i++) {
        await p.getByRole('button', { name: /^Theme:/ }).click();
      }
      expect(await p.evaluate(() => document.documentElement.dataset.theme)).not.toBe(themed);
      await expect.poll(inked).toBeGreaterThan(0);
    } finally {
      await other.close();
    }
  });

  it('is readable at phone width and in the dark theme', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${server.url}/towns/${townId}`);
    await page.getByRole('meter', { name: 'Tokens per second', exact: true }).waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await screenshot(page, 'overview-phone-dark');
    await page.goto(`${server.url}/towns/${townId}/observability?range=1h`);
    await page.waitForFunction(() => performance.getEntriesByName('charts-drawn').length > 0);
    await screenshot(page, 'observability-phone-dark');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: /Gas Town/ }).waitFor();
    await screenshot(page, 'towns-dark');
  });
});
