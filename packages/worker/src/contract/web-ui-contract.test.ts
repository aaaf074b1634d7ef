import { beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt } from '../../../web/e2e/build.js';
import { HOSTS, useHost } from '../testing/hosts.js';

/**
 * The web UI's pages, as each host serves them: the same security headers on every page (the Worker's static
 * assets had none: no Content-Security-Policy, so no `frame-ancestors 'none'`, no nosniff), and the API's paths
 * the API's JSON 404, never the app's HTML nor the platform's bodiless 405.
 */
describe.each(HOSTS)('%s host: the web UI', (_name, start) => {
  beforeAll(() => ensureWebBuilt());
  const host = useHost(start);

  it("answers every page of the app with the page's security headers", async () => {
    for (const path of ['/', '/login', '/towns/town_x/observability', '/index.html']) {
      for (const method of ['GET', 'HEAD']) {
        const r = await fetch(host.h.url + path, { method });
        const what = `${method} ${path}`;
        expect(r.status, what).toBe(200);
        expect(r.headers.get('content-type'), what).toMatch(/^text\/html/);
        expect(r.headers.get('content-security-policy'), what).toContain("frame-ancestors 'none'");
        expect(r.headers.get('content-security-policy'), what).toContain("script-src 'self'");
        expect(r.headers.get('x-content-type-options'), what).toBe('nosniff');
        expect(r.headers.get('referrer-policy'), what).toBe('same-origin');
        expect(r.headers.get('cache-control'), what).toBe('no-cache');
        if (method === 'GET') expect(await r.text(), what).toContain('<html');
      }
    }
  });

  it('answers a file that is not there 404, never with the app under its name', async () => {
    for (const path of ['/assets/nope-abc123.js', '/nope.png', '/robots.txt']) {
      const r = await fetch(host.h.url + path);
      expect(r.status, path).toBe(404);
      expect(r.headers.get('content-type') ?? '', path).not.toMatch(/^text\/html/);
      await r.body?.cancel();
    }
  });

  it("answers the API's paths, and a POST to a page, with the API's JSON 404", async () => {
    const calls: [string, string][] = [
      ['GET', '/api'],
      ['GET', '/v1'],
      ['GET', '/otlp'],
      ['GET', '/api/nope'],
      ['POST', '/towns/town_x'],
      ['POST', '/V1/metrics'],
    ];
    for (const [method, path] of calls) {
      const r = await fetch(host.h.url + path, { method, body: method === 'POST' ? '{}' : null });
      const what = `${method} ${path}`;
      expect(r.status, what).toBe(404);
      expect(((await r.json()) as { error: { code: string } }).error.code, what).toBe('not_found');
    }
  });
});
