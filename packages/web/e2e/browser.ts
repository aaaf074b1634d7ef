import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { signIn } from './bench-page.js';
import { watchPage } from './helpers.js';

/** Debian's chromium (apt-get install -y chromium); a browser is never downloaded. */
export const CHROMIUM = '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

/** A fresh browser profile (its own cookies and storage) that is deleted on close. */
export async function launchBrowser(
  opts: { width?: number; height?: number; colorScheme?: 'light' | 'dark'; timezoneId?: string } = {},
): Promise<{
  context: BrowserContext;
  close(): Promise<void>;
}> {
  const profile = mkdtempSync(join(tmpdir(), 'gg-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ARGS,
    headless: true,
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 },
    colorScheme: opts.colorScheme ?? 'light',
    ...(opts.timezoneId ? { timezoneId: opts.timezoneId } : {}),
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export type Browser = Awaited<ReturnType<typeof launchBrowser>>;

export type OpenedPage = Browser & { page: Page };

export interface OpenPageOptions {
  width?: number;
  height?: number;
  colorScheme?: 'light' | 'dark';
  timezoneId?: string;
  /** A fake clock installed in the browser, at this time, before the page opens (a budget's day). */
  clock?: number;
  /** The page's default timeout for actions and waits, ms. */
  timeout?: number;
  /** Lists to collect the page's tRPC request URLs and its script errors into (watchPage). */
  watch?: { trpcUrls?: string[]; consoleErrors?: string[] };
  /** Signs in through the /login form of the server at `url` with this user token. */
  signIn?: { url: string; token: string };
}

/**
 * How every browser test opens its page: a fresh browser profile (launchBrowser), its first page, and as
 * asked a fake clock, a default timeout, watched requests and errors, and a signed-in session. The browser
 * is closed with `close()`.
 */
export async function openPage(opts: OpenPageOptions = {}): Promise<OpenedPage> {
  const { clock, timeout, watch, signIn: as, ...launch } = opts;
  const browser = await launchBrowser(launch);
  try {
    if (clock !== undefined) await browser.context.clock.install({ time: clock });
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    if (timeout !== undefined) page.setDefaultTimeout(timeout);
    if (watch) watchPage(page, watch.trpcUrls ?? [], watch.consoleErrors ?? []);
    if (as) await signIn(page, as.url, as.token);
    return { ...browser, page };
  } catch (e) {
    await browser.close();
    throw e;
  }
}
