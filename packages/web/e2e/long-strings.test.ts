import type { RunningServer } from '@gasgauge/server';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, type OpenedPage, openPage } from './browser.js';
import { postJson, screenshot } from './helpers.js';
import { startTownServer } from './town-server.js';

/*
 * The longest names the API takes, none with a space to break at: a user, an organisation and a town
 * of 64 characters, agents, models, roles, beads and an ingest key's agent of 256, a bead title of
 * 1,000, and a runaway alert and flag naming the long agent. No page may grow wider than the screen (a phone's and a laptop's), and the agents table
 * must still show every column at a laptop's width (a 256-character agent id pushed the cost
 * columns 6,500 px to the right); a name cut short keeps its whole text in its title.
 */
const HAS_CHROMIUM = chromiumAvailable();
const LONG = (c: string) => c.repeat(256);

describe.skipIf(!HAS_CHROMIUM && !process.env.CI)('long unbroken names in the web UI', () => {
  let server: RunningServer;
  let townId: string;
  let browser: OpenedPage;
  let page: Page;
  let user: string;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    const started = await startTownServer('gg-web-long-', 'W'.repeat(64));
    server = started.server;
    const trpc = async (token: string, proc: string, input: unknown) =>
      ((await postJson(`${server.url}/trpc/${proc}`, token, input)) as { result: { data: Record<string, string> } }).result.data;
    user = (await trpc(started.admin, 'users.create', { name: 'U'.repeat(64) })).token as string;
    const org = (await trpc(user, 'orgs.create', { name: 'O'.repeat(64) })).id as string;
    townId = (await trpc(user, 'towns.create', { name: 'X'.repeat(64), organizationId: org })).id as string;
    const ingestToken = (await trpc(user, 'towns.mintIngestToken', { townId })).token as string;
    await trpc(user, 'towns.createKey', { townId, name: 'K'.repeat(64), agentId: LONG('G') });
    const at = Date.now() - 60_000;
    const agent = LONG('A');
    const bead = LONG('B');
    await postJson(`${server.url}/api/towns/${townId}/usage`, ingestToken, {
      records: [
        {
          id: 'u1',
          agentId: agent,
          model: LONG('M'),
          provider: LONG('P'),
          inputTokens: 1000,
          outputTokens: 10,
          costMicrodollars: 100,
          at,
          beadId: bead,
        },
        { id: 'u2', agentId: 'short', model: 'm', inputTokens: 1000, outputTokens: 10, costMicrodollars: 100, at },
        // $6 in a minute: past the default spend-rate rule ($5 in 10 min), so the long agent is flagged and named in an alert.
        { id: 'u3', agentId: agent, model: 'm', inputTokens: 1000, outputTokens: 10, costMicrodollars: 6_000_000, at },
      ],
    });
    await postJson(`${server.url}/api/towns/${townId}/events`, ingestToken, {
      events: [
        { id: 'a1', at, type: 'agent', agentId: agent, role: LONG('R'), status: 'working', beadId: bead },
        {
          id: 'b1',
          at: at + 1,
          type: 'bead',
          beadId: bead,
          status: 'open',
          kind: LONG('K'),
          title: 'T'.repeat(1000),
          assigneeAgentId: agent,
          parentId: LONG('Q'),
        },
        { id: 'n1', at: at + 2, type: 'note', name: LONG('N'), data: { from: agent, to: agent, subject: 'S'.repeat(2000) } },
      ],
    });
    await postJson(`${server.url}/api/towns/${townId}/loc`, ingestToken, {
      agents: [{ agentId: agent, additions: 1, deletions: 1, files: 1 }],
    });
    // The Billing page lists the alert naming the long agent: wait until the tick has raised it.
    const alerts = async () => {
      const input = encodeURIComponent(JSON.stringify({ organizationId: org }));
      const res = await fetch(`${server.url}/trpc/billing.alerts?input=${input}`, {
        headers: { authorization: `Bearer ${user}` },
      });
      return ((await res.json()) as { result: { data: { alerts: { kind: string }[] } } }).result.data.alerts;
    };
    for (let i = 0; i < 100 && !(await alerts()).some((a) => a.kind === 'runaway'); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect((await alerts()).map((a) => a.kind)).toContain('runaway');
    browser = await openPage({ watch: { consoleErrors }, signIn: { url: server.url, token: user } });
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const pages = () => [
    `/towns/${townId}`,
    `/towns/${townId}/observability?range=1h`,
    `/towns/${townId}/beads`,
    `/towns/${townId}/bead?${new URLSearchParams({ id: LONG('B') })}`,
    `/towns/${townId}/settings`,
    '/',
    '/billing',
    '/orgs',
  ];

  // 320 px: the narrowest phone in use (an iPhone SE's first model, a small Android at a large font).
  for (const width of [1280, 390, 320]) {
    it(`pushes no page wider than a ${width} px screen, and cuts off no control`, async () => {
      await page.setViewportSize({ width, height: 844 });
      const wider: string[] = [];
      for (const path of pages()) {
        await page.goto(`${server.url}${path}`);
        await page.waitForLoadState('networkidle');
        const px = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        if (px > 0) wider.push(`${path.slice(0, 60)}: ${px} px`);
        // A button, link or field past the screen's edge, outside a region that scrolls (a table's): the range
        // picker's 'Custom' was cut off by its box at 360 px and under, where nothing could reach it.
        const cut = await page.evaluate(() =>
          Array.from(document.querySelectorAll('main button, main a, main input, main select'))
            .filter((el) => !el.closest('.table-scroll, .feed-scroll'))
            .filter((el) => {
              const r = el.getBoundingClientRect();
              return r.width > 0 && (r.left < -0.5 || r.right > document.documentElement.clientWidth + 0.5);
            })
            .map((el) => (el.textContent || el.getAttribute('aria-label') || el.tagName).slice(0, 30)),
        );
        if (cut.length > 0) wider.push(`${path.slice(0, 60)}: ${cut.join(', ')} cut off`);
        await screenshot(page, `long-names-${width}-${pages().indexOf(path)}`);
      }
      expect(wider).toEqual([]);
      expect(consoleErrors).toEqual([]);
    });
  }

  it('shows every column of the agents table at a laptop width, the long names cut with their whole text in the title', async () => {
    await page.setViewportSize({ width: 1280, height: 844 });
    await page.goto(`${server.url}/towns/${townId}`);
    const scroll = page.locator('.table-scroll[aria-label="Agents"]');
    await scroll.getByRole('rowheader', { name: 'short' }).waitFor();
    expect(await scroll.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
    expect(
      await scroll
        .locator(`bdi[title="${LONG('A')}"]`)
        .first()
        .textContent(),
    ).toBe(LONG('A'));
    await page.goto(`${server.url}/towns/${townId}/beads`);
    const beads = page.locator('.table-scroll').first();
    await beads.locator(`bdi[title="${LONG('B')}"]`).waitFor();
    expect(await beads.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
  });

  it("keeps each gauge's number inside its dial's hollow, the lines of code's two numbers too", async () => {
    const ingest = (await postJson(`${server.url}/trpc/towns.mintIngestToken`, user, { townId })) as {
      result: { data: { token: string } };
    };
    // Each report replaces its agent's last: five agents make billions, then a report of 0/0 clears one.
    const diffs = (adds: number, dels: number, agents: number) =>
      postJson(`${server.url}/api/towns/${townId}/loc`, ingest.result.data.token, {
        agents: [LONG('A'), 'big-1', 'big-2', 'big-3', 'big-4', 'big-5'].map((agentId, i) =>
          i > 0 && i <= agents ? { agentId, additions: adds, deletions: dels } : { agentId, additions: 0, deletions: 0 },
        ),
      });
    const cases: [() => Promise<unknown>, string][] = [
      [() => diffs(4_540_000, 4_540_000, 1), '+4.54M −4.54M'],
      [() => diffs(999_999_999, 888_888_888, 5), '+5B −4.44B'],
      // Nine characters: set at the size of a short number, it ran under the arc at a phone's width.
      [() => diffs(457, 150, 1), '+457 −150'],
    ];
    for (const [post, shown] of cases) {
      await post();
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: 844 });
        await page.goto(`${server.url}/towns/${townId}`);
        await page.getByText(shown, { exact: true }).waitFor();
        const over = await page.evaluate(() =>
          Array.from(document.querySelectorAll('.gauge')).flatMap((g) => {
            const number = g.querySelector('.gauge-number');
            const dial = g.querySelector('.gauge-dial')?.getBoundingClientRect();
            if (!number || !dial) return ['a gauge without its number or dial'];
            const range = document.createRange();
            range.selectNodeContents(number);
            const text = range.getBoundingClientRect();
            // The dial's viewBox is 120 x 64: the arc's centre 58 units down, its 10-unit stroke around a radius of
            // 50 leaves a hollow of radius 45. The top of the digits (0.2 em below the text box's top) must be in it,
            // at both ends: the higher a line, the narrower the hollow.
            const unit = dial.width / 120;
            const top = text.top + 0.2 * Number.parseFloat(getComputedStyle(number).fontSize);
            const reach = Math.max(
              ...[text.left, text.right].map((x) => Math.hypot(x - (dial.left + dial.width / 2), top - (dial.top + 58 * unit))),
            );
            return reach > 45 * unit ? [`${number.textContent}: reaches ${reach.toFixed(1)} px, the hollow ${45 * unit} px`] : [];
          }),
        );
        expect(over, `${shown} at ${width} px`).toEqual([]);
        await screenshot(page, `gauges-${width}-${cases.findIndex((c) => c[1] === shown)}`);
      }
    }
  });

  it("keeps every value of a chart's tooltip on the screen", async () => {
    await page.setViewportSize({ width: 1280, height: 844 });
    await page.goto(`${server.url}/towns/${townId}/observability?range=1h`);
    await page.waitForLoadState('networkidle');
    const offScreen: string[] = [];
    let shown = 0;
    for (const plot of await page.locator('.u-over').all()) {
      await plot.scrollIntoViewIfNeeded();
      const box = await plot.boundingBox();
      if (!box) continue;
      // Left of the middle, where the tooltip opens to the right; then right of it, where it opens to the left.
      for (const x of [0.45, 0.95]) {
        await page.mouse.move(box.x + box.width * x, box.y + box.height / 2);
        shown += await page.locator('.chart-tooltip:not([hidden])').count();
        offScreen.push(
          ...(await page.evaluate(() =>
            Array.from(document.querySelectorAll('.chart-tooltip:not([hidden]) .chart-tooltip-value'))
              .filter((v) => {
                const r = v.getBoundingClientRect();
                return r.left < 0 || r.right > document.documentElement.clientWidth;
              })
              .map((v) => v.textContent ?? ''),
          )),
        );
      }
    }
    expect(shown).toBeGreaterThan(0);
    expect(offScreen).toEqual([]);
  });
});
