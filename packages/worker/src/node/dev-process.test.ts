import { afterAll, expect, it } from 'vitest';
import { tempDir } from '../../../server/src/testing/temp.js';
import { startWorker, stopWorkers } from '../testing/wrangler-dev.js';

afterAll(stopWorkers);

it('wrangler dev --local serves the API and the web UI on one origin', async () => {
  const w = await startWorker({ persistTo: tempDir('gg-worker-'), adminToken: 'ggu_dev-process-admin', secret: 'x'.repeat(32) });
  const health = await fetch(`${w.url}/healthz`);
  expect(health.status).toBe(200);
  const page = await fetch(`${w.url}/login`);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('<div id="root"');
  const towns = await fetch(`${w.url}/api/towns`, { headers: { authorization: 'Bearer ggu_dev-process-admin' } });
  expect(towns.status).toBe(200);
  // The web UI's sign-in: the token posted from /login becomes a session cookie on this origin.
  const login = await fetch(`${w.url}/auth/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: w.url, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'token=ggu_dev-process-admin&next=%2F',
  });
  expect(login.status).toBe(303);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
  expect(cookie).toMatch(/=/);
  const me = await fetch(`${w.url}/auth/me`, { headers: { cookie } });
  expect(await me.json()).toMatchObject({ user: { name: 'admin', isAdmin: true } });
});
