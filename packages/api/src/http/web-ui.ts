import { decodedComponent } from './url-escapes.js';

/**
 * What both hosts send with the built web UI, and which paths it may answer: the Node server's static files
 * (`packages/server/src/static.ts`) and the Worker's static assets (`packages/worker/src/web-assets.ts`) alike.
 */

/**
 * Paths the UI never owns: an unknown one there stays the API's JSON 404, not the app's HTML (the OTLP receiver's
 * too: a GET of an exporter's URL answered 200 with the app, as if it were the endpoint).
 */
const API_PREFIXES = ['/api/', '/trpc/', '/auth/', '/otlp/', '/v1/'];
const API_PATHS = ['/api', '/trpc', '/otlp', '/v1'];

/** Whether a (decoded) path is the API's, never the web UI's. */
function isApiPath(path: string): boolean {
  return API_PREFIXES.some((p) => path.startsWith(p)) || API_PATHS.includes(path);
}

/** A request's (raw) path decoded, when a GET of it may be the web UI's: undefined when it does not decode or is the API's. */
export function pagePath(rawPath: string): string | undefined {
  const path = decodedComponent(rawPath);
  return path === undefined || isApiPath(path) ? undefined : path;
}

/** The page's CSP: everything from this origin only; uPlot and React set styles through the CSSOM, which CSP allows. */
export const WEB_HTML_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-cache',
};
