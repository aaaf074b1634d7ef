import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

/** Screenshots of every page, on every run (artifacts/ is gitignored). */
export const ARTIFACTS = resolve(fileURLToPath(new URL('../../../artifacts/web', import.meta.url)));

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: resolve(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** The inputs of every call of `proc` in a tRPC URL, batched (`a,b?batch=1&input={"0":…}`) or not. */
export function trpcInputs<T = Record<string, unknown>>(url: string, proc: string): T[] {
  const u = new URL(url);
  const procs = u.pathname.replace(/^\/trpc\//, '').split(',');
  const raw = u.searchParams.get('input');
  if (!raw) return [];
  const input = JSON.parse(raw) as Record<string, unknown>;
  const batched = u.searchParams.get('batch') === '1';
  return procs.flatMap((p, i) => (p === proc ? [(batched ? input[String(i)] : input) as T] : []));
}

/** The inputs of every `metrics.timeseries` call in a tRPC URL. */
export function timeseriesInputs(url: string): { townId: string; from: number; to: number; maxPoints: number; tz?: string }[] {
  return trpcInputs(url, 'metrics.timeseries');
}

/**
 * A page on another site (localhost, while the app is on 127.0.0.1) with a link to the app: clicking
 * it starts a cross-site navigation, like a link clicked in a terminal or a mail.
 */
export async function crossSitePage(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><title>elsewhere</title><a id="go" href="${target}">Open Gas Gauge</a>`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}/`,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections(); // the browser keeps its connection open
      }),
  };
}

export async function postJson(url: string, token: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`POST ${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Collects the page's tRPC request URLs and its script errors (console errors, uncaught exceptions) into the given lists. */
export function watchPage(page: Page, trpcUrls: string[], consoleErrors: string[]): void {
  page.on('request', (r) => {
    if (r.url().includes('/trpc/')) trpcUrls.push(r.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
}

/** The value of a gauge, by its accessible name. */
export async function meterValue(page: Page, name: string): Promise<number | null> {
  const v = await page.getByRole('meter', { name, exact: true }).getAttribute('aria-valuenow');
  return v === null ? null : Number(v);
}
