import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pagePath, WEB_HTML_HEADERS } from '@gasgauge/api';
import type { Hono } from 'hono';

/**
 * The built UI: where `npm run build -w @gasgauge/web` writes it in the clone, or `web/` beside the bundled
 * modules in the installable package (pack/bundle.ts defines GASGAUGE_WEB_DIST).
 */
export const WEB_DIST = resolve(
  fileURLToPath(new URL(typeof GASGAUGE_WEB_DIST === 'string' ? GASGAUGE_WEB_DIST : '../../web/dist', import.meta.url)),
);

const HTML_TYPE = 'text/html; charset=utf-8';

/** Content types by file extension (a Map: the extension comes from a path). */
const TYPES = new Map([
  ['.html', HTML_TYPE],
  ['.js', 'text/javascript; charset=utf-8'],
  ['.mjs', 'text/javascript; charset=utf-8'],
  ['.css', 'text/css; charset=utf-8'],
  ['.json', 'application/json; charset=utf-8'],
  ['.map', 'application/json; charset=utf-8'],
  ['.svg', 'image/svg+xml'],
  ['.png', 'image/png'],
  ['.ico', 'image/x-icon'],
  ['.webp', 'image/webp'],
  ['.woff2', 'font/woff2'],
  ['.txt', 'text/plain; charset=utf-8'],
]);

/**
 * Serves the built web UI on the API's origin (so the session cookie and tRPC need no CORS): files
 * from `dist`, hashed `/assets/*` cached for a year, and every other GET path answered with
 * index.html, where the app's router takes over (`/towns/abc/observability` on a reload).
 * Registered after the API routes, so it only sees what they did not answer.
 */
export function serveWeb(app: Hono, distDir = WEB_DIST): void {
  const root = resolve(distDir);
  const files = new FileCache();
  app.get('*', async (c) => {
    const path = pagePath(c.req.path);
    if (path === undefined) return c.notFound();
    const file = await findFile(root, path);
    if (file) {
      const immutable = path.startsWith('/assets/');
      const type = TYPES.get(extname(file)) ?? 'application/octet-stream';
      const headers = {
        'Content-Type': type,
        'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        'X-Content-Type-Options': 'nosniff',
      };
      return c.body(await files.read(file), 200, type.startsWith('text/html') ? { ...headers, ...WEB_HTML_HEADERS } : headers);
    }
    // A missing asset is a 404: index.html under a .js name would fail confusingly in the browser.
    if (path.startsWith('/assets/') || extname(path) !== '') return c.notFound();
    const html = await files.read(join(root, 'index.html')).catch(() => undefined);
    if (!html) return c.html(NOT_BUILT, 503);
    return c.body(html, 200, { 'Content-Type': HTML_TYPE, ...WEB_HTML_HEADERS });
  });
}

/**
 * The UI's files, each read once while it is unchanged (same size and mtime) and then sent from the same
 * Buffer to every client: a fresh copy per request let one client's unread answers (the 2 MB source
 * map, asked for by anyone, no credential needed) fill the server's memory. Holds at most what `dist` holds.
 */
class FileCache {
  private readonly files = new Map<string, { size: number; mtimeMs: number; bytes: Promise<Buffer<ArrayBuffer>> }>();

  async read(file: string): Promise<Buffer<ArrayBuffer>> {
    const info = await stat(file);
    const cached = this.files.get(file);
    if (cached && cached.size === info.size && cached.mtimeMs === info.mtimeMs) return cached.bytes;
    const bytes = readFile(file);
    this.files.set(file, { size: info.size, mtimeMs: info.mtimeMs, bytes });
    bytes.catch(() => this.files.delete(file));
    return bytes;
  }
}

/** The file a URL path names inside root, never outside it (`..` and encoded tricks included). */
async function findFile(root: string, urlPath: string): Promise<string | undefined> {
  if (urlPath.includes('\0')) return undefined;
  const file = normalize(join(root, urlPath));
  if (file !== root && !file.startsWith(root + sep)) return undefined;
  const info = await stat(file).catch(() => undefined);
  return info?.isFile() ? file : undefined;
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Gas Gauge</title>
<p>The web UI is not built yet. Run <code>npm run build</code> (or <code>npm start</code>, which builds first), then reload.</p>
<p>The API is up: <a href="/healthz">/healthz</a>.</p>`;
