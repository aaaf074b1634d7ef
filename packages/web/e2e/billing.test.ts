import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type RunningServer, startServer } from '@gasgauge/server';
import { tempDir } from '@gasgauge/server/testing';
import { middayClock } from '@gasgauge/server/testing/clock';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, type OpenedPage, openPage } from './browser.js';
import { ensureWebBuilt } from './build.js';
import { meterValue, postJson, screenshot, trpcInputs } from './helpers.js';

/*
 * The gas tank, the budget and the billing page, end to end: the built UI served by a real server
 * whose towns tick only when the test says so (`autoTick: false`, `tickTown`), so every debit, budget
 * crossing and alert happens at a known step. Credits come from `billing.grant` (the admin is a server
 * admin), spend from the real ingest API.
 */
const HAS_CHROMIUM = chromiumAvailable();
const TIME_ZONE = 'America/Los_Angeles';
const CLI = resolve(fileURLToPath(new URL('../../server/bin/gasgauge.mjs', import.meta.url)));

const GRANT = 10_000_000;
const COST = 2_250_000;
const LOW_LINE = 8_000_000;
/** The server's and the page's clock: noon in Los Angeles today, so "today" of the budget never ends mid-test. */
const clock = middayClock(TIME_ZONE);

describe.skipIf(!HAS_CHROMIUM && !process.env.CI)('gas tank, budget and billing in Chromium', () => {
  let server: RunningServer;
  let dataDir: string;
  let adminToken: string;
  let townId: string;
  let ingestToken: string;
  let browser: OpenedPage;
  let page: Page;
  let hooks: { server: Server; url: string; received: { kind: string; id: number }[] };
  const trpcUrls: string[] = [];
  const consoleErrors: string[] = [];

  const call = async (token: string, proc: string, input: unknown) =>
    ((await postJson(`${server.url}/trpc/${proc}`, token, input)) as { result: { data: unknown } }).result.data;
  const trpc = (proc: string, input: unknown) => call(adminToken, proc, input);
  const tankMeter = () => page.getByRole('meter', { name: 'Gas tank', exact: true });

  beforeAll(async () => {
    if (!HAS_CHROMIUM) throw new Error('/usr/bin/chromium is missing: install it with apt-get install -y chromium');
    ensureWebBuilt();
    // The account's webhook: low-balance alerts are taken, budget alerts refused, so both delivery outcomes show.
    const received: { kind: string; id: number }[] = [];
    const hookServer = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        const alert = JSON.parse(body) as { kind: string; id: number };
        received.push(alert);
        res.writeHead(alert.kind === 'low_balance' ? 204 : 500).end();
      });
    });
    await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
    hooks = { server: hookServer, url: `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`, received };

    dataDir = tempDir('gg-web-billing-');
    server = await startServer({
      dataDir,
      port: 0,
      host: '127.0.0.1',
      autoTick: false,
      clock,
      webhooks: { maxAttempts: 1, allowPrivate: true },
      log: () => {},
    });
    adminToken = server.adminToken as string;
    townId = ((await trpc('towns.create', { name: 'Tank Town' })) as { id: string }).id;
    ingestToken = ((await trpc('towns.mintIngestToken', { townId })) as { token: string }).token;
    // Budgets and the low balance only: the default runaway rules would also flag this town's one big spend
    // (runaway alerts are tested in beads.test.ts and the server's runaway-webhook test).
    await trpc('towns.setRunawayRules', {
      townId,
      spendRate: { enabled: false, microdollars: 5_000_000, windowMinutes: 10 },
      noProgress: { enabled: false, minutes: 30, minMicrodollars: 1_000_000 },
      beadBudgetMicrodollars: null,
    });
    browser = await openPage({
      timezoneId: TIME_ZONE,
      clock: clock(),
      watch: { trpcUrls, consoleErrors },
      signIn: { url: server.url, token: adminToken },
    });
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await new Promise((r) => hooks?.server.close(r));
  });

  it('fills the gas tank from the owning account, and moves it on the live push after a tick settles a debit', async () => {
    await trpc('billing.setAlertSettings', { lowBalanceMicrodollars: LOW_LINE, webhookUrl: hooks.url });
    await trpc('billing.grant', { userName: 'admin', amountMicrodollars: GRANT, note: 'e2e top-up' });

    await page.goto(`${server.url}/towns/${townId}`);
    const tank = tankMeter();
    await expect.poll(() => tank.getAttribute('aria-valuetext')).toBe('$10.00 left, not burning');
    expect(await meterValue(page, 'Gas tank')).toBe(GRANT);
    expect(await tank.getAttribute('class')).toContain('tone-ok');
    // The personal town asks for the personal account: no organizationId.
    const balanceCalls = trpcUrls.flatMap((u) => trpcInputs(u, 'billing.balance'));
    expect(balanceCalls.length).toBeGreaterThan(0);
    expect(balanceCalls.every((input) => input.organizationId === undefined)).toBe(true);

    await postJson(`${server.url}/api/towns/${townId}/usage`, ingestToken, {
      records: [
        {
          id: 'msg-1',
          agentId: 'polecat-1',
          model: 'claude-sonnet-4-5',
          inputTokens: 600_000,
          outputTokens: 30_000,
          costMicrodollars: COST,
          at: clock(),
        },
      ],
    });
    // Nothing is debited before the tick closes the town's cost and settles it into the ledger.
    await page.waitForFunction(
      () => Number(document.querySelector('[aria-label="Cost per hour"]')?.getAttribute('aria-valuenow')) > 0,
    );
    expect(await meterValue(page, 'Gas tank')).toBe(GRANT);
    await server.tickTown(townId);
    await server.deliverAlerts();

    // No reload: the tick's live push refetches the balance.
    await expect.poll(() => meterValue(page, 'Gas tank')).toBe(GRANT - COST);
    // $7.75 left at $2.25 an hour: 12,400 s.
    expect(await tank.getAttribute('aria-valuetext')).toBe(
      '$7.75 left, low balance (below $8.00), burning $2.25 per hour, runs dry in 3 h 26 min',
    );
    expect(await tank.locator('.gauge-number').textContent()).toBe('$7.75');
    expect(await tank.locator('.gauge-flag').textContent()).toBe('low');
    expect(await tank.locator('.gauge-unit').textContent()).toBe('left');
    expect(await tank.locator('.gauge-detail').textContent()).toBe('$2.25/h · runs dry in 3 h 26 min');
    expect(await tank.getAttribute('class')).toContain('tone-warn');
    // The six gauges keep their names.
    for (const name of [
      'Tokens per second',
      'Cost per hour',
      'Lines of code',
      'Active agents',
      'Beads closed per hour',
      'Gas tank',
    ]) {
      await expect(page.getByRole('meter', { name, exact: true }).count()).resolves.toBe(1);
    }
    await screenshot(page, 'overview-gas-tank');
  });

  it('shows the budget under the gauges, amber from 80 % and red past 100 %, and the crossing in the event feed', async () => {
    const line = page.getByRole('region', { name: 'Budget' });
    expect(await line.count()).toBe(0); // no budget, no line

    await trpc('towns.setBudget', { townId, period: 'day', capMicrodollars: 2_500_000, tz: TIME_ZONE });
    await line.waitFor();
    expect(await line.locator('.budget-text').textContent()).toBe('Budget: $2.25 of $2.50 today (90 %)');
    expect(await line.locator('.budget-flag').textContent()).toBe('80 % reached');
    expect(await line.getAttribute('class')).toContain('tone-warn');
    expect(await page.getByRole('meter', { name: 'Budget used' }).getAttribute('aria-valuenow')).toBe('2250000');
    expect(await line.locator('.budget-detail').textContent()).toMatch(/^resets in \d+ (h|min)/);

    // The crossing becomes an event when the town ticks.
    const feedLine = page.locator('.feed li', { hasText: 'Budget 80 % reached' });
    expect(await feedLine.count()).toBe(0);
    await server.tickTown(townId);
    await server.deliverAlerts();
    await feedLine.waitFor();
    expect(await feedLine.locator('.feed-text').textContent()).toBe('Budget 80 % reached: $2.25 of $2.50 per day');
    expect(await feedLine.locator('.badge').textContent()).toBe('budget');
    await screenshot(page, 'overview-budget');

    // A cap below what is spent: red, and said in words.
    await trpc('towns.setBudget', { townId, period: 'day', capMicrodollars: 2_000_000, tz: TIME_ZONE });
    await expect.poll(() => line.locator('.budget-text').textContent()).toBe('Budget: $2.25 of $2.00 today (112 %)');
    expect(await line.locator('.budget-flag').textContent()).toBe('over budget');
    expect(await line.getAttribute('class')).toContain('tone-danger');
    await screenshot(page, 'overview-budget-over');
  });

  it('lists the grant and the debit on the billing page, and the alerts with their webhook delivery', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Billing' }).click();
    await page.waitForURL(`${server.url}/billing`);
    expect(
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Billing' }).getAttribute('aria-current'),
    ).toBe('page');
    const personal = page.getByRole('region', { name: 'Personal' });
    const tank = personal.locator('dl.tank');
    await tank.waitFor();
    expect(await figure(tank, 'Balance')).toBe('$7.75low');
    expect(await tank.getAttribute('class')).toContain('tone-warn');
    expect(await figure(tank, 'Burn, last hour')).toBe('$2.25/h');
    expect(await figure(tank, 'Time to empty')).toBe('runs dry in 3 h 26 min');
    expect(await figure(tank, 'Low below')).toBe('$8.00');

    const rows = personal.getByRole('table', { name: 'Ledger of Personal, newest first' }).locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await cells(rows.nth(0))).toEqual(['debit', 'Tank Town', '−$2.25', '$7.75']);
    expect(await cells(rows.nth(1))).toEqual(['grant', 'e2e top-up', '+$10.00', '$10.00']);
    expect(await personal.getByText('Every entry is shown, back to the first.').count()).toBe(1);
    expect(
      await personal
        .getByText(
          'Latest first, in the order made. A debit is timed at the end of the hour its spend is dated in, or now for the hour under way.',
        )
        .count(),
    ).toBe(1);

    // Newest first: the budget crossing (second tick), then the low balance (the debit of the first).
    const alerts = personal.locator('.alerts li');
    await expect.poll(() => alerts.count()).toBe(2);
    expect(await alerts.nth(0).locator('.alert-text').textContent()).toBe(
      'Budget 80 % reached in Tank Town: $2.25 of $2.50 per day',
    );
    expect(await alerts.nth(0).locator('.delivery').textContent()).toBe('failed after 1 attempt');
    expect(await alerts.nth(0).locator('.alert-error').textContent()).toBe('HTTP 500');
    expect(await alerts.nth(1).locator('.alert-text').textContent()).toBe('Low balance: $7.75, below $8.00');
    expect(await alerts.nth(1).locator('.delivery').textContent()).toMatch(/^delivered (just now|\d+ s ago)$/);
    expect(hooks.received.map((a) => a.kind).sort()).toEqual(['budget', 'low_balance']);
    await screenshot(page, 'billing');
  });

  it('has a card per organisation: a paged ledger for its owner, the balance only for a member; an org town burns the org tank', async () => {
    const acme = ((await trpc('orgs.create', { name: 'Acme' })) as { id: string }).id;
    for (let i = 0; i < 25; i++) {
      await trpc('billing.grant', { organizationId: acme, amountMicrodollars: 1_000_000, note: `top-up ${i}` });
    }
    // Bob's organisation, with the admin as a plain member, and a town of its own.
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'user', 'add', 'bob', '--data', dataDir, '--json']);
    const bobToken = (JSON.parse(stdout) as { token: string }).token;
    const bobCo = ((await call(bobToken, 'orgs.create', { name: 'Bob Co' })) as { id: string }).id;
    await call(bobToken, 'orgs.setMember', { organizationId: bobCo, userName: 'admin', role: 'member' });
    await trpc('orgs.acceptInvitation', { organizationId: bobCo });
    const bobTown = ((await call(bobToken, 'towns.create', { name: 'Bob Town', organizationId: bobCo })) as { id: string }).id;
    await trpc('billing.grant', { organizationId: bobCo, amountMicrodollars: 3_000_000 });

    await page.reload();
    const acmeCard = page.getByRole('region', { name: 'Acme' });
    const rows = acmeCard.locator('table.ledger tbody tr');
    await expect.poll(() => rows.count()).toBe(20);
    expect(await cells(rows.nth(0))).toEqual(['grant', 'top-up 24', '+$1.00', '$25.00']);
    expect(await acmeCard.locator('.account-head .badge').textContent()).toBe('owner');
    await acmeCard.getByRole('button', { name: 'Older' }).click();
    await expect.poll(() => rows.count()).toBe(25);
    expect(await cells(rows.nth(24))).toEqual(['grant', 'top-up 0', '+$1.00', '$1.00']);
    expect(await acmeCard.getByRole('button', { name: 'Older' }).count()).toBe(0);
    expect(await acmeCard.getByText('Every entry is shown, back to the first.').count()).toBe(1);
    // 20 + 5 entries, each once, newest first.
    const seqs = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-seq'))));
    expect(new Set(seqs).size).toBe(25);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));

    const bobCard = page.getByRole('region', { name: 'Bob Co' });
    await bobCard.locator('dl.tank').waitFor();
    expect(await figure(bobCard.locator('dl.tank'), 'Balance')).toBe('$3.00low');
    expect(await bobCard.locator('.account-head .badge').textContent()).toBe('member');
    expect(await bobCard.getByText('sees the balance only', { exact: false }).count()).toBe(1);
    expect(await bobCard.locator('table').count()).toBe(0);
    expect(await bobCard.locator('.alerts-block').count()).toBe(0);
    await screenshot(page, 'billing-orgs');

    // The organisation's town: its gas tank is Bob Co's ($3), not the admin's own ($7.75).
    const before = trpcUrls.length;
    await page.goto(`${server.url}/towns/${bobTown}`);
    await expect.poll(() => meterValue(page, 'Gas tank')).toBe(3_000_000);
    expect(await tankMeter().getAttribute('aria-valuetext')).toBe('$3.00 left, low balance (below $5.00), not burning');
    expect(trpcUrls.slice(before).flatMap((u) => trpcInputs(u, 'billing.balance'))).toContainEqual({ organizationId: bobCo });
  });

  it('is readable at phone width in the dark theme', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${server.url}/towns/${townId}`);
    await page.getByRole('region', { name: 'Budget' }).waitFor();
    await expect.poll(() => meterValue(page, 'Gas tank')).toBe(GRANT - COST);
    await screenshot(page, 'overview-budget-phone-dark');
    await page.getByRole('link', { name: 'Billing' }).click();
    await page.getByRole('region', { name: 'Personal' }).locator('table.ledger').waitFor();
    // The nav stays reachable on a phone, and nothing is wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, 'billing-phone-dark');
  });

  it("shows a ledger's amounts on a phone's screen beside a long town name or note", async () => {
    // A 64-character note took the column's 18rem and pushed the amounts past the card's edge, to be scrolled to.
    const org = ((await trpc('orgs.create', { name: 'Long Notes' })) as { id: string }).id;
    await trpc('billing.grant', {
      organizationId: org,
      amountMicrodollars: 1_234_567,
      note: 'Top-up for the quarter '.repeat(3),
    });
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(`${server.url}/billing`);
      const card = page.getByRole('region', { name: 'Long Notes' });
      const row = card.locator('table.ledger tbody tr').first();
      await row.waitFor();
      const [region, balance] = await Promise.all([
        card.locator('.ledger').locator('..').boundingBox(),
        row.locator('td').last().boundingBox(),
      ]);
      expect(balance && region && balance.x + balance.width).toBeLessThanOrEqual((region?.x ?? 0) + (region?.width ?? 0));
      // The note is whole, over more than one line.
      expect(await row.locator('.ledger-what').textContent()).toContain('Top-up for the quarter Top-up');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it("lines up a ledger's decimal points whatever the number of decimals", async () => {
    const org = ((await trpc('orgs.create', { name: 'Decimals' })) as { id: string }).id;
    for (const amountMicrodollars of [1_500_000, 123_456, 20_000_000]) {
      await trpc('billing.grant', { organizationId: org, amountMicrodollars });
    }
    await page.goto(`${server.url}/billing`);
    const rows = page.getByRole('region', { name: 'Decimals' }).locator('table.ledger tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    expect((await Promise.all([0, 1, 2].map((i) => cells(rows.nth(i))))).map((c) => c.slice(2))).toEqual([
      ['+$20.00', '$21.623456'],
      ['+$0.123456', '$1.623456'],
      ['+$1.50', '$1.50'],
    ]);
    // The right edge of each amount's "." (and each balance's), in page pixels.
    const points = await rows.evaluateAll((trs) =>
      trs.map((tr) =>
        Array.from(tr.querySelectorAll('td.num'), (td) => {
          const text = td.firstChild as Text;
          const range = document.createRange();
          const at = (text.textContent ?? '').indexOf('.');
          range.setStart(text, at);
          range.setEnd(text, at + 1);
          return Math.round(range.getBoundingClientRect().right);
        }),
      ),
    );
    for (const column of [0, 1]) expect(new Set(points.map((p) => p[column])).size, JSON.stringify(points)).toBe(1);
  });

  it('sets the low-balance line and the webhook from the personal card, and names a bad amount', async () => {
    await page.goto(`${server.url}/billing`);
    const form = page.locator('[data-account="personal"]').getByRole('form', { name: 'Alert settings' });
    const low = form.getByLabel('Low balance below, dollars');
    await expect.poll(() => low.inputValue()).toBe('8');
    await low.fill('twelve');
    await form.getByRole('button', { name: 'Save alerts' }).click();
    await form.getByRole('alert').filter({ hasText: 'a dollar amount' }).waitFor();
    expect(await low.getAttribute('aria-invalid')).toBe('true');
    await low.fill('12.5');
    await form.getByLabel('Alert webhook (optional)').fill('');
    await form.getByRole('button', { name: 'Save alerts' }).click();
    await form.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const res = await fetch(`${server.url}/trpc/billing.alertSettings`, { headers: { authorization: `Bearer ${adminToken}` } });
    const saved = ((await res.json()) as { result: { data: unknown } }).result.data;
    expect(saved).toEqual({ lowBalanceMicrodollars: 12_500_000, webhookUrl: null });
    // A URL of another scheme is named before anything is sent.
    await form.getByLabel('Alert webhook (optional)').fill('ftp://example.com/hook');
    await form.getByRole('button', { name: 'Save alerts' }).click();
    await form.getByRole('alert').filter({ hasText: 'http:// or https://' }).waitFor();
    expect(await form.getByLabel('Alert webhook (optional)').getAttribute('aria-invalid')).toBe('true');
  });

  it("flags an organisation that was never granted credits in a neutral tone, not a healthy tank's green", async () => {
    await trpc('orgs.create', { name: 'Unfunded' });
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await page.goto(`${server.url}/billing`);
      const flag = page.getByRole('region', { name: 'Unfunded' }).locator('.tank-flag');
      expect(await flag.textContent()).toBe('no credits');
      // The colour of each tone's token, as the page computes it, against the flag's.
      const colours = await flag.evaluate((el) => {
        const of = (token: string) => {
          const probe = document.body.appendChild(document.createElement('span'));
          probe.style.color = `var(${token})`;
          const c = getComputedStyle(probe).color;
          probe.remove();
          return c;
        };
        return { flag: getComputedStyle(el).color, ok: of('--ok'), muted: of('--muted') };
      });
      expect(colours.flag).not.toBe(colours.ok);
      expect(colours.flag).toBe(colours.muted);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('logged no script errors on the way', () => {
    expect(consoleErrors).toEqual([]);
  });
});

/** The text of a gas tank figure, by its term. */
function figure(tank: Locator, term: string): Promise<string | null> {
  return tank
    .locator('div', { has: tank.page().locator('dt', { hasText: term }) })
    .locator('dd')
    .textContent();
}

/** A ledger row's entry, town or note, amount and balance (the time moves, so it is left out). */
async function cells(row: Locator): Promise<string[]> {
  const texts = await row.locator('td').allTextContents();
  return texts.slice(1).map((t) => t.trim());
}
