import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunningServer, startServer } from '../serve.js';
import { gasgauge } from '../testing/cli.js';
import { killServers, serveProcess } from '../testing/serve-process.js';
import { tempDir } from '../testing/temp.js';
import { main } from './main.js';

/** Runs the CLI in-process and returns what it printed on stdout. */
async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((line: string) => lines.push(line));
  try {
    return { code: await main(args), out: lines.join('\n') };
  } finally {
    log.mockRestore();
  }
}

describe('gasgauge login-link', () => {
  let server: RunningServer;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = tempDir('gg-link-');
    server = await startServer({ dataDir, port: 0, host: '127.0.0.1', log: () => {} });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("prints a one-time URL on the running server's own address, which signs in once", async () => {
    const r = await cli('login-link', '--user', 'admin', '--next', '/towns/x', '--data', dataDir, '--json');
    expect(r.code).toBe(0);
    const { url, expiresAt } = JSON.parse(r.out) as { url: string; expiresAt: number };
    expect(url).toMatch(new RegExp(`^${server.url}/auth/link\\?code=ggl_[\\w-]+$`));
    expect(expiresAt - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(10 * 60_000);

    const code = new URL(url).searchParams.get('code') as string;
    const post = () =>
      fetch(`${server.url}/auth/link`, {
        method: 'POST',
        headers: { origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ code }),
        redirect: 'manual',
      });
    const first = await post();
    expect(first.headers.get('location')).toBe('/towns/x');
    expect(first.headers.get('set-cookie')).toMatch(/^gg_session=/);
    expect((await post()).headers.get('location')).toBe('/login?error=link_expired');
  });

  it('prints just the URL without --json, and takes --url', async () => {
    const r = await cli('login-link', '--user', 'admin', '--url', 'https://gauge.example/', '--data', dataDir);
    expect(r.out).toMatch(/^https:\/\/gauge\.example\/auth\/link\?code=ggl_/);
  });

  it('refuses an unknown user and a --next that is not a path', async () => {
    const unknown = await cli('login-link', '--user', 'nobody', '--data', dataDir, '--json');
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.out)).toEqual({ error: { code: 'not_found', message: 'no user named "nobody"', path: 'user' } });
    const bad = await cli('login-link', '--user', 'admin', '--next', 'https://evil.example', '--data', dataDir, '--json');
    expect(bad.code).toBe(2);
    // Paths the server drops from a link (it then opens the towns page without a word): refused here, named.
    for (const next of ['//evil.example', '/towns/a b', `/${'x'.repeat(512)}`]) {
      const r = await cli('login-link', '--user', 'admin', '--next', next, '--data', dataDir, '--json');
      expect(r.code, next).toBe(2);
      expect(JSON.parse(r.out).error.message).toContain('--next must be a path on the server');
    }
    const edge = await cli('login-link', '--user', 'admin', '--next', `/${'x'.repeat(511)}`, '--data', dataDir, '--json');
    expect(edge.code).toBe(0);
  });

  it('refuses a --url that is not an http(s) URL, before making a link', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      for (const url of ['localhost:8787', 'gauge.example.com', 'ftp://gauge.example']) {
        expect((await cli('login-link', '--user', 'admin', '--url', url, '--data', dataDir)).code).toBe(2);
      }
      expect(err.mock.calls.flat().join('\n')).toContain(
        '--url must be a URL like https://gauge.example.com, not "localhost:8787"',
      );
      // What --public-url refuses: the link would be broken (`…?x=1/auth/link?code=…`) or under a prefix the server
      // does not answer on.
      for (const url of ['https://gauge.example?x=1', 'https://gauge.example/gg/', 'https://u:p@gauge.example']) {
        expect((await cli('login-link', '--user', 'admin', '--url', url, '--data', dataDir)).code, url).toBe(2);
      }
      expect(err.mock.calls.flat().join('\n')).toContain(
        '--url must be http(s)://host[:port] with no path, query or credentials (the server answers on /), not "https://gauge.example?x=1"',
      );
    } finally {
      err.mockRestore();
    }
  });
});

describe('gasgauge login-link after the server crashed', () => {
  afterAll(killServers);
  it('says no server is running (server.json is left behind), and still prints the link', async () => {
    const dataDir = tempDir('gg-link-crash-');
    const served = await serveProcess(dataDir);
    const running = await gasgauge('login-link', '--user', 'admin', '--data', dataDir);
    expect([running.code, running.stderr]).toEqual([0, '']);
    served.child.kill('SIGKILL');
    await served.exited;
    const r = await gasgauge('login-link', '--user', 'admin', '--data', dataDir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${served.url}/auth/link\\?code=ggl_`));
    expect(r.stderr).toBe(
      `gasgauge login-link: no server is running on ${dataDir}; the link works once one answers at ${served.url} (within 10 minutes)\n`,
    );
  }, 60_000);
});
