import { join } from 'node:path';
import { type RunningServer, startServer } from '@gasgauge/server';
import { benchObservabilityPage, PAGE_TARGETS, type PageBenchResult, signIn } from '../packages/web/e2e/bench-page.js';
import { CHROMIUM, chromiumAvailable, launchBrowser } from '../packages/web/e2e/browser.js';
import { ensureWebBuilt } from '../packages/web/e2e/build.js';
import { postJson } from '../packages/web/e2e/helpers.js';
import { fillSevenDays } from './fill.js';
import { progress } from './log.js';
import type { Row } from './report.js';
import { fmtInt, fmtMs, percentile, timeMs } from './stats.js';

/** Measured runs after the first (cold) one; each run is one page load and one drag-zoom. */
const WARM_RUNS = 10;

const CHARTS_NAME = 'Observability page 7 d: navigation → charts drawn';
const ZOOM_NAME = 'Observability page 7 d: drag-zoom redraw';

/**
 * 5. The observability page in Debian's Chromium against the real server (`startServer`, the built UI),
 * one town holding 7 days of 5 s data: one cold run, then WARM_RUNS warm runs, each one navigation to the
 * 7-day preset and one drag-zoom. Judged on the warm median; the cold run is shown beside it.
 */
export async function benchPage(dir: string): Promise<Row[]> {
  if (!chromiumAvailable()) {
    progress(`page: skipped, ${CHROMIUM} not installed`);
    const skipped = `skipped: ${CHROMIUM} not installed`;
    return [
      { name: CHARTS_NAME, value: skipped, target: `≤ ${PAGE_TARGETS.chartsDrawnMs} ms`, pass: null, detail: '' },
      { name: ZOOM_NAME, value: skipped, target: `≤ ${PAGE_TARGETS.zoomRedrawMs} ms`, pass: null, detail: '' },
    ];
  }

  progress('page: building the web UI if stale');
  const buildMs = timeMs(ensureWebBuilt);
  if (buildMs > 1000) progress(`page: web UI built in ${fmtMs(buildMs)}`);

  let server: RunningServer | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  try {
    server = await startServer({
      dataDir: join(dir, 'data'),
      port: 0,
      host: '127.0.0.1',
      autoTick: false,
      log: () => {},
    });
    const adminToken = server.adminToken;
    if (!adminToken) throw new Error('page: a fresh data dir should print an admin token');
    const created = (await postJson(`${server.url}/trpc/towns.create`, adminToken, { name: 'bench-page' })) as {
      result: { data: { id: string } };
    };
    const townId = created.result.data.id;
    const town = server.towns.get(townId);
    const fillMs = timeMs(() => {
      const counts = fillSevenDays(town.sql, Date.now(), 'page fill');
      progress(`page fill: ${[...counts].map(([table, n]) => `${table} ${fmtInt(n)}`).join(', ')}`);
    });
    progress(`page fill: done in ${fmtMs(fillMs)}`);

    browser = await launchBrowser();
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await signIn(page, server.url, adminToken);
    const opts = { baseUrl: server.url, townId, loads: 1, zooms: 1 };

    progress('page: cold run');
    const cold = await benchObservabilityPage(page, opts);
    const warm: PageBenchResult[] = [];
    for (let i = 0; i < WARM_RUNS; i++) {
      progress(`page: warm run ${i + 1} of ${WARM_RUNS}`);
      warm.push(await benchObservabilityPage(page, opts));
    }
    return rows(cold, warm);
  } finally {
    // The browser first: its live stream would keep the server's close waiting.
    await browser?.close();
    await server?.close();
  }
}

function rows(cold: PageBenchResult, warm: readonly PageBenchResult[]): Row[] {
  const one = (r: PageBenchResult, key: 'chartsDrawnMs' | 'zoomRedrawMs') => r[key][0] ?? Number.NaN;
  const row = (name: string, key: 'chartsDrawnMs' | 'zoomRedrawMs', target: number, what: string): Row => {
    const runs = warm.map((r) => one(r, key));
    const median = percentile(runs, 50);
    const coldMs = one(cold, key);
    return {
      name,
      value: `${fmtMs(median)} warm median, ${fmtMs(coldMs)} cold`,
      target: `≤ ${target} ms`,
      pass: median <= target,
      detail:
        `status judged on the median of ${warm.length} warm runs (${runs.map(fmtMs).join(', ')}); ` +
        `cold = the first run in a fresh browser profile (${fmtMs(coldMs)}, ${coldMs <= target ? 'within' : 'over'} the target); ${what}`,
    };
  };
  // From the warm runs: the cold run can catch the overview's own request (maxPoints 60) still going out after sign-in.
  const maxPoints = [...new Set(warm.map((r) => r.maxPoints ?? '?'))].join(' / ');
  return [
    row(CHARTS_NAME, 'chartsDrawnMs', PAGE_TARGETS.chartsDrawnMs, `page asked for maxPoints ${maxPoints}, 1280×800 viewport`),
    row(ZOOM_NAME, 'zoomRedrawMs', PAGE_TARGETS.zoomRedrawMs, 'drag over 30% of the first chart; every chart redrawn'),
  ];
}
