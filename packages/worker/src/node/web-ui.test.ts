import { randomBytes } from 'node:crypto';
import { newUserToken } from '@gasgauge/api';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../server/src/testing/temp.js';
import { auditPage } from '../../../web/e2e/axe.js';
import { signIn } from '../../../web/e2e/bench-page.js';
import { chromiumAvailable, launchBrowser } from '../../../web/e2e/browser.js';
import { ensureWebBuilt } from '../../../web/e2e/build.js';
import { meterValue, postJson, screenshot, watchPage } from '../../../web/e2e/helpers.js';
import { startWorker, stopWorkers, type WorkerProcess } from '../testing/wrangler-dev.js';

/*
 * The web UI as the Worker serves it (static assets, same origin as the API), in `wrangler dev --local`,
 * driven in Debian's Chromium: sign in on /login, open a town with ingested usage, and read the same
 * numbers the API gives. Skipped (with a message) only when Chromium is missing outside CI.
 */
const HAS_CHROMIUM = chromiumAvailable();
if (!HAS_CHROMIUM && !process.env.CI) console.warn('packages/worker web UI smoke: skipped, /usr/bin/chromium is missing.');

describe.skipIf(!HAS_CHROMIUM && !process.env.CI)('web UI served by the Worker, in Chromium', () => {
  const adminToken = newUserToken();
  let w: WorkerProcess;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  let townId: string;
  const consoleErrors: string[] = [];

  const trpc = async (proc: string, input: unknown) =>
    ((await postJson(`${w.url}/trpc/${proc}`, adminToken, input)) as { result: { data: Record<string, string> } }).result.data;

  beforeAll(async () => {
    ensureWebBuilt();
    w = await startWorker({ persistTo: tempDir('gg-worker-'), adminToken, secret: randomBytes(32).toString('base64url') });
    townId = (await trpc('towns.create', { name: 'Gas Town' })).id as string;
    const ingest = (await trpc('towns.mintIngestToken', { townId })).token as string;
    const at = Date.now();
    await postJson(`${w.url}/api/towns/${townId}/events`, ingest, {
      events: [{ id: 'ev-1', at, type: 'agent', agentId: 'polecat-1', role: 'polecat', status: 'working', beadId: 'gt-1' }],
    });
    await postJson(`${w.url}/api/towns/${townId}/usage`, ingest, {
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
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    watchPage(page, [], consoleErrors);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stopWorkers();
  });

  it("signs in on /login, opens the town and shows the API's numbers", async () => {
    await signIn(page, w.url, adminToken);
    const api = await fetch(`${w.url}/api/towns/${townId}/metrics/throughput`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    const { tokensPerSecond } = (await api.json()) as { tokensPerSecond: number };
    expect(tokensPerSecond).toBe(210); // 63,000 tokens over the 5-minute window
    await page.goto(`${w.url}/towns/${townId}`);
    await page.waitForFunction(
      () => Number(document.querySelector('[aria-label="Tokens per second"]')?.getAttribute('aria-valuenow')) > 0,
    );
    expect(await meterValue(page, 'Tokens per second')).toBe(tokensPerSecond);
    await page.getByRole('cell', { name: 'gt-1' }).waitFor();
    await expect.poll(() => meterValue(page, 'Active agents'), { timeout: 10_000 }).toBe(1);
    await screenshot(page, 'worker-town');
  });

  it('finds no serious or critical accessibility violation on the town page', async () => {
    expect(await auditPage(page)).toEqual([]);
  });

  it('logs no script errors and no Content-Security-Policy violations', () => {
    expect(consoleErrors).toEqual([]);
  });
});
