import { AppError } from '@gasgauge/core';

/**
 * decodeURIComponent's answer, or undefined where it throws (an escape that is not UTF-8, a `%` not followed by two
 * hex digits).
 */
export function decodedComponent(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * Refuses a URL whose path or query holds a percent escape that does not decode: `%FF`, an overlong or surrogate
 * sequence (`%C0%80`, `%ED%A0%80`), a `%` without two hex digits. Hono reads such a component as its raw text, so
 * `a%FF` named a bead called `a%FF`, as `a%25FF` does: two URLs for one thing, and a name no client sent. Browsers
 * and URLSearchParams write `%` as `%25`. A 400 naming the query parameter (`query` when its name is the bad part),
 * or `path`; the URL is not echoed (an OTLP path holds an ingest key).
 */
export function refuseBadPercentEscapes(url: string): void {
  if (!url.includes('%')) return;
  // The URL parser keeps escapes as they came (it neither decodes nor re-encodes a `%`).
  const { pathname, search } = new URL(url);
  if (decodedComponent(pathname) === undefined) {
    throw new AppError('bad_request', 'the URL path holds a percent escape that is not UTF-8', { path: 'path' });
  }
  for (const pair of search.slice(1).split('&')) {
    if (!pair.includes('%')) continue;
    const eq = pair.indexOf('=');
    const name = decodedComponent(eq < 0 ? pair : pair.slice(0, eq));
    if (name === undefined || (eq >= 0 && decodedComponent(pair.slice(eq + 1)) === undefined)) {
      const field = name ?? 'query';
      throw new AppError('bad_request', `query parameter ${field} holds a percent escape that is not UTF-8`, { path: field });
    }
  }
}
