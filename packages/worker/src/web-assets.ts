import { type createApp, pagePath, WEB_HTML_HEADERS } from '@gasgauge/api';

/**
 * The built web UI from the static assets (wrangler.jsonc's `assets`), answered by the Worker as the Node server
 * answers it (`packages/server/src/static.ts`): a GET no API route took, outside the API's paths, with the page's
 * Content-Security-Policy, `X-Content-Type-Options`, `Referrer-Policy` and `Cache-Control` on every HTML answer.
 * Served by the platform alone, the pages had none of them (no CSP, no `frame-ancestors 'none'`), and `/api`, `/v1`
 * and the other API paths without a trailing slash were the app's HTML rather than the API's JSON 404.
 * The hashed files under `/assets/` are still the platform's (wrangler.jsonc), with its own cache headers.
 */
export function serveAssets(app: ReturnType<typeof createApp>, assets: Fetcher): void {
  app.get('*', async (c) => (isPagePath(c.req.path) ? ((await webPage(c.req.raw, assets)) ?? c.notFound()) : c.notFound()));
}

/** Whether a GET of this (raw) path is the web UI's when no route of the app takes it. */
export function isPagePath(rawPath: string): boolean {
  return pagePath(rawPath) !== undefined;
}

/**
 * A page when the app cannot be built (a deployment without its secrets, the control object failing at the start):
 * the pages are answered as before the Worker answered them, only the app's own routes wait for it.
 */
export function pageWithoutApp(request: Request, assets: Fetcher | undefined): Promise<Response> | undefined {
  if (!assets || (request.method !== 'GET' && request.method !== 'HEAD')) return undefined;
  const path = new URL(request.url).pathname;
  if (!isPagePath(path) || ['/healthz', '/readyz'].includes(path)) return undefined;
  return webPage(request, assets).then((page) => page ?? new Response(null, { status: 404 }));
}

/**
 * The assets' answer to `request`, with the headers the Node server sends with the same file; a path that is no
 * file is the app's index.html (its router takes over), unless it names a file (an extension): then undefined, a 404,
 * as on Node (index.html under a .js or .png name would fail confusingly in the browser; wrangler.jsonc's
 * `not_found_handling` is "none", so a missing file under /assets/ is the platform's 404 too).
 */
async function webPage(request: Request, assets: Fetcher): Promise<Response | undefined> {
  let found = await assets.fetch(request);
  if (found.status === 404) {
    await found.body?.cancel();
    if (namesFile(new URL(request.url).pathname)) return undefined;
    found = await assets.fetch(new Request(new URL('/', request.url), { method: request.method, headers: request.headers }));
  }
  const answer = new Response(found.body, found);
  const html = answer.headers.get('Content-Type')?.startsWith('text/html') ?? false;
  for (const [name, value] of Object.entries(html ? WEB_HTML_HEADERS : { 'X-Content-Type-Options': 'nosniff' }))
    answer.headers.set(name, value);
  return answer;
}

/** Whether a (raw) path names a file: its last segment has an extension, as Node's `extname` reads it (`.env` has none). */
function namesFile(rawPath: string): boolean {
  const path = pagePath(rawPath) ?? rawPath;
  const last = path.slice(path.lastIndexOf('/') + 1);
  return last.lastIndexOf('.') > 0;
}
