import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { createApp } from '../../../api/src/app.js';

/** wrangler.jsonc's `assets.run_worker_first`: paths the Worker answers before the static assets. */
function runWorkerFirst(): string[] {
  const jsonc = readFileSync(new URL('../../wrangler.jsonc', import.meta.url), 'utf8');
  return JSON.parse(jsonc.replace(/^\s*\/\/.*$/gm, '')).assets.run_worker_first;
}

const covers = (pattern: string, path: string) =>
  pattern.endsWith('/*') ? path.startsWith(pattern.slice(0, -1)) || path === pattern.slice(0, -2) : path === pattern;
/** A path reaches the Worker when a rule covers it and no `!` rule takes it back (the platform's rule). */
const reaches = (patterns: string[], path: string) =>
  patterns.some((p) => !p.startsWith('!') && covers(p, path)) &&
  !patterns.some((p) => p.startsWith('!') && covers(p.slice(1), path));

// Any other path is the web UI's: a route left out would be answered by the static assets (405 on a POST).
it('every route of the API app reaches the Worker, not the static assets', () => {
  const patterns = runWorkerFirst();
  // The deps are read per request, not while the routes are registered.
  const paths = [...new Set(createApp({} as never).routes.map((r) => r.path))].filter((p) => p !== '/*');
  expect(paths).toContain('/v1/logs');
  expect(paths.filter((p) => !reaches(patterns, p))).toEqual([]);
});

// The pages too, which the Worker answers with the Node server's headers (web-assets.ts); the hashed files are the platform's.
it('every page of the web UI reaches the Worker, and the hashed files under /assets/ do not', () => {
  const patterns = runWorkerFirst();
  for (const page of ['/', '/login', '/towns/town_x/observability', '/index.html', '/api', '/v1'])
    expect(reaches(patterns, page), page).toBe(true);
  expect(reaches(patterns, '/assets/index-abc123.js')).toBe(false);
});
