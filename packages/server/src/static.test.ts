import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from './serve.js';
import { tempDir } from './testing/temp.js';

let server: RunningServer;
let bare: RunningServer;
let dist: string;
beforeAll(async () => {
  dist = tempDir('gg-dist-');
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  const opts = { port: 0, host: '127.0.0.1', log: () => {} };
  server = await startServer({ ...opts, dataDir: tempDir('gg-static-'), webDist: dist });
  bare = await startServer({ ...opts, dataDir: tempDir('gg-static-'), webDist: join(dist, 'missing') });
});
afterAll(async () => {
  await server?.close();
  await bare?.close();
});

const get = (s: RunningServer, path: string) => fetch(s.url + path);

describe('the web UI on the API origin', () => {
  it('serves index.html for the app routes (SPA fallback), with a CSP and no-cache', async () => {
    for (const path of ['/', '/login', '/towns/town_abc/observability?from=1&to=2']) {
      const r = await get(server, path);
      expect(r.status, path).toBe(200);
      expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(r.headers.get('cache-control')).toBe('no-cache');
      expect(r.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await r.text()).toContain('<title>app</title>');
    }
  });

  it('serves the new index.html once the UI is built again (read once while unchanged, not once per request)', async () => {
    expect(await (await get(server, '/towns/a')).text()).toContain('<title>app</title>');
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>rebuilt app</title>');
    expect(await (await get(server, '/towns/b')).text()).toContain('<title>rebuilt app</title>');
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>app</title>');
  });

  it('serves hashed assets with their type and a year of immutable caching', async () => {
    const r = await get(server, '/assets/index-abc123.js');
    expect(r.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(r.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await r.text()).toBe('console.log(1)');
    const svg = await get(server, '/favicon.svg');
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(svg.headers.get('cache-control')).toBe('no-cache');
  });

  it('answers a missing asset with 404, not with the app', async () => {
    expect((await get(server, '/assets/index-gone.js')).status).toBe(404);
    expect((await get(server, '/robots.txt')).status).toBe(404);
  });

  it('leaves unknown API paths to the API (JSON 404)', async () => {
    // The OTLP receiver's paths as well: a GET of an exporter's URL is not the app (nor a 200), as on the Worker.
    for (const path of ['/api/nope', '/auth/nope', '/otlp/ggi_x/v1/metrics', '/v1/metrics', '/v1/logs', '/otlp']) {
      const r = await get(server, path);
      expect(r.status, path).toBe(404);
      expect(r.headers.get('content-type')).toContain('application/json');
    }
    expect((await get(server, '/trpc/nope')).headers.get('content-type')).toContain('application/json');
  });

  it('never serves a file outside dist', async () => {
    for (const path of ['/..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2f..%2fpackage.json']) {
      const r = await get(server, path);
      expect(await r.text(), path).not.toContain('root:');
      expect([200, 404]).toContain(r.status);
    }
  });

  it('says how to build the UI when it is not built', async () => {
    const r = await get(bare, '/');
    expect(r.status).toBe(503);
    expect(await r.text()).toContain('npm run build');
  });
});
