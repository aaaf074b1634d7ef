import type { RunningServer } from '@gasgauge/server';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from './bench-page.js';
import { chromiumAvailable, type OpenedPage, openPage } from './browser.js';
import { postJson, watchPage } from './helpers.js';
import { startTownServer } from './town-server.js';

/*
 * Stored XSS in a real browser: every string a reporter chooses (agent ids, models, providers, roles,
 * bead ids, titles, kinds, note names and data) carries markup, `javascript:` URLs and bidi controls,
 * and every page that shows them is loaded. Nothing may run (the payloads call a function the test
 * exposes), no element may carry an inline handler or a script URL, no bidi control may reach the
 * screen raw, and the payloads must show as text (so the test is not vacuous).
 */
const HAS_CHROMIUM = chromiumAvailable();

/** Each calls `__xss(n)` if it ever runs as script. */
const PAYLOADS = [
  '<img src=x onerror=__xss(1)>',
  '<svg/onload=__xss(2)>',
  '"><script>__xss(3)</script>',
  'javascript:__xss(4)',
  "'-__xss(5)-'",
  '</title><iframe srcdoc="<script>parent.__xss(6)</script>">',
  '<a href="javascript:__xss(7)">link</a>',
  'bidi \u202Eexe.fdp\u202C \u2066x\u2069',
] as const;
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

describe.skipIf(!HAS_CHROMIUM && !process.env.CI)('hostile strings in the web UI', () => {
  let server: RunningServer;
  let townId: string;
  let browser: OpenedPage;
  let page: Page;
  const fired: unknown[] = [];
  const dialogs: string[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    const started = await startTownServer('gg-web-xss-', 'XSS Town');
    ({ server, townId } = started);
    const admin = started.admin;
    const ingest = started.ingestToken;
    const at = Date.now() - 60_000;
    await postJson(`${server.url}/api/towns/${townId}/usage`, ingest, {
      records: PAYLOADS.map((p, i) => ({
        id: `u${i}`,
        agentId: p,
        model: `${p} model`,
        provider: p,
        inputTokens: 1000 * (i + 1),
        outputTokens: 10,
        costMicrodollars: 100 * (i + 1),
        at,
        beadId: p,
      })),
    });
    await postJson(`${server.url}/api/towns/${townId}/events`, ingest, {
      events: PAYLOADS.flatMap((p, i) => [
        { id: `a${i}`, at, type: 'agent', agentId: p, role: p, status: 'working', beadId: p },
        { id: `b${i}`, at: at + 1, type: 'bead', beadId: p, status: 'open', kind: p, title: p, assigneeAgentId: p, parentId: p },
        { id: `n${i}`, at: at + 2, type: 'note', name: p, data: { from: p, to: p, subject: p, [p]: p } },
      ]),
    });
    await postJson(`${server.url}/api/towns/${townId}/loc`, ingest, {
      agents: PAYLOADS.map((p) => ({ agentId: p, additions: 1, deletions: 1, files: 1 })),
    });
    browser = await openPage();
    page = browser.page;
    await browser.context.exposeFunction('__xss', (n: unknown) => fired.push(n));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    watchPage(page, [], consoleErrors);
    await signIn(page, server.url, admin);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** What the page must never hold: inline handlers, script URLs, scripts or frames the app did not ship, raw bidi controls. */
  async function injected(): Promise<string[]> {
    return page.evaluate((bidi) => {
      const found: string[] = [];
      for (const el of Array.from(document.querySelectorAll('*'))) {
        for (const a of Array.from(el.attributes)) {
          if (a.name.startsWith('on')) found.push(`${el.tagName} ${a.name}`);
          if (/^\s*javascript:/i.test(a.value) && ['href', 'src', 'action', 'formaction', 'xlink:href'].includes(a.name))
            found.push(`${el.tagName} ${a.name}=${a.value}`);
        }
      }
      for (const s of Array.from(document.querySelectorAll('script'))) if (!s.src) found.push('inline script');
      for (const f of Array.from(document.querySelectorAll('iframe, object, embed'))) found.push(f.tagName);
      for (const img of Array.from(document.querySelectorAll('img')))
        if (img.getAttribute('src') === 'x') found.push('img src=x');
      if (new RegExp(bidi).test(document.body.textContent ?? '')) found.push('raw bidi control in the text');
      return found;
    }, BIDI.source);
  }

  const pages = () => [
    `/towns/${townId}`,
    `/towns/${townId}/observability?range=1h`,
    `/towns/${townId}/beads`,
    ...PAYLOADS.map((p) => `/towns/${townId}/bead?${new URLSearchParams({ id: p })}`),
    '/',
    '/billing',
    '/orgs',
  ];

  it('shows every payload as text on the overview', async () => {
    await page.goto(`${server.url}/towns/${townId}`);
    for (const p of PAYLOADS.filter((x) => !BIDI.test(x))) await page.getByRole('rowheader', { name: p, exact: true }).waitFor();
    // A bidi control is shown as a visible ⟨U+202E⟩, never raw.
    await page.getByRole('rowheader', { name: 'bidi ⟨U+202E⟩exe.fdp⟨U+202C⟩ ⟨U+2066⟩x⟨U+2069⟩', exact: true }).waitFor();
  });

  it('runs nothing and injects nothing on any page', async () => {
    for (const path of pages()) {
      await page.goto(`${server.url}${path}`);
      await page.waitForLoadState('networkidle');
      // Hover the charts and open what opens, so tooltips and details render their names too.
      for (const chart of await page.locator('.chart, canvas, svg').all()) await chart.hover({ force: true }).catch(() => {});
      expect(await injected(), path).toEqual([]);
    }
    // The bead page of a payload shows its title as text.
    await page.goto(`${server.url}/towns/${townId}/bead?${new URLSearchParams({ id: PAYLOADS[0] })}`);
    await page.getByRole('heading', { name: PAYLOADS[0] }).first().waitFor();
    expect(fired).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
