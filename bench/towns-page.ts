/**
 * One load of the web UI's towns page for a user with N towns (default 1,000; GG_PAGE_TOWNS) in Debian's
 * Chromium against the real server: HTTP requests, tRPC calls (a batch carries several), their status,
 * and the time until the network is idle. Each town has a file and an hour of usage.
 * Run: npx tsx bench/towns-page.ts
 */
import { rmSync } from 'node:fs';
import { Control } from '@gasgauge/core';
import { DataDir, FileTownDirectory, openSqlite, startServer } from '@gasgauge/server';
import { tempDir, usageRecord } from '@gasgauge/server/testing';
import { startTestServer } from '@gasgauge/server/testing/server';
import { signIn } from '../packages/web/e2e/bench-page.js';
import { launchBrowser } from '../packages/web/e2e/browser.js';
import { ensureWebBuilt } from '../packages/web/e2e/build.js';

const N = Number(process.env.GG_PAGE_TOWNS ?? 1_000);
ensureWebBuilt();
const dir = tempDir('gg-towns-page-');
const first = await startTestServer({ dataDir: dir, autoTick: false, maxTownsPerOwner: N + 1 });
const { adminToken } = first;
await first.close();
const sql = openSqlite(new DataDir(dir).controlFile);
const control = new Control(sql, Date.now);
const owner = control.userByName('admin')?.id as string;
const ids = sql.transaction(() =>
  Array.from(
    { length: N },
    (_, i) => control.createTown(`town_page_${String(i).padStart(4, '0')}`, `Page ${i}`, { userId: owner }).id,
  ),
);
sql.close();
const files = new FileTownDirectory(new DataDir(dir), Date.now, { maxOpen: 64 });
const now = Date.now();
for (const id of ids) {
  const town = files.get(id);
  town.ingestUsage(
    Array.from({ length: 6 }, (_, k) =>
      usageRecord({ id: `u${k}`, at: now - k * 600_000, inputTokens: 1000, costMicrodollars: 2000 }),
    ),
  );
  town.tick();
}
files.close();

const server = await startServer({
  dataDir: dir,
  port: 0,
  host: '127.0.0.1',
  autoTick: false,
  log: () => {},
  maxTownsPerOwner: N + 1,
});
const browser = await launchBrowser({ width: 1280, height: 900 });
try {
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await signIn(page, server.url, adminToken);
  await page.waitForLoadState('networkidle');
  let requests = 0;
  let calls = 0;
  const statuses = new Map<number, number>();
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (!url.pathname.startsWith('/trpc/')) return;
    requests++;
    calls += url.pathname.slice('/trpc/'.length).split(',').length;
  });
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.startsWith('/trpc/')) statuses.set(r.status(), (statuses.get(r.status()) ?? 0) + 1);
  });
  let failed = 0;
  page.on('requestfailed', (r) => {
    if (new URL(r.url()).pathname.startsWith('/trpc/')) failed++;
  });
  const t0 = performance.now();
  await page.goto(`${server.url}/`);
  await page.waitForLoadState('networkidle', { timeout: 120_000 });
  const ms = performance.now() - t0;
  await page.waitForTimeout(5000);
  const cards = await page.locator('.town-card').count();
  console.log(
    `${N} towns: ${cards} cards, ${requests} HTTP requests, ${calls} tRPC calls, statuses ${[...statuses].map(([s, n]) => `${n}×${s}`).join(', ')}, ${failed} failed, network idle after ${ms.toFixed(0)} ms`,
  );
} finally {
  await browser.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
