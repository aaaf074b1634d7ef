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

// Any other path is the web UI's: a route left out is answered by the single-page fallback (405 on a POST).
it("every route of the API app reaches the Worker, not the static assets' single-page fallback", () => {
  const patterns = runWorkerFirst();
  // The deps are read per request, not while the routes are registered.
  const paths = [...new Set(createApp({} as never).routes.map((r) => r.path))].filter((p) => p !== '/*');
  expect(paths).toContain('/v1/logs');
  expect(paths.filter((p) => !patterns.some((pattern) => covers(pattern, p)))).toEqual([]);
});
