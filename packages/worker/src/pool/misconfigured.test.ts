import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../index.js';

/** The Worker's answer to one API request under `vars` in place of the pool's own secrets. */
async function answer(vars: Partial<Env>, token: string) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request('http://w.test/trpc/towns.list', { headers: { authorization: `Bearer ${token}` } }),
    { ...env, ...vars },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  // biome-ignore lint/suspicious/noExplicitAny: the error's JSON
  return { status: res.status, body: (await res.json()) as any };
}

describe('a deployment whose secrets are wrong says which, with a 503 on every API path', () => {
  it('GASGAUGE_SECRET missing or short', async () => {
    for (const secret of [undefined, 'short']) {
      const r = await answer({ GASGAUGE_SECRET: secret as string }, 'ggu_anything');
      expect(r.status).toBe(503);
      expect(r.body.error.message).toContain('GASGAUGE_SECRET');
    }
  });

  // It had been skipped without a word: no admin was made, and the operator's every call was a 401 "unknown API token".
  it('GASGAUGE_ADMIN_TOKEN that is not a ggu_… token', async () => {
    const admin = 'a-long-random-string-without-the-prefix';
    const r = await answer({ GASGAUGE_ADMIN_TOKEN: admin }, admin);
    expect(r.status).toBe(503);
    expect(r.body.error.message).toContain('GASGAUGE_ADMIN_TOKEN');
  });

  // The pages were the platform's before the Worker answered them (web-assets.ts): they stay up, the API says what is wrong.
  it('still serves the web UI, with its headers, and 503 on /healthz', async () => {
    const ctx = createExecutionContext();
    const vars = { ...env, GASGAUGE_SECRET: 'short' };
    const page = await worker.fetch(new Request('http://w.test/towns/town_x'), vars, ctx);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(await page.text()).toContain('<html');
    const health = await worker.fetch(new Request('http://w.test/healthz'), vars, ctx);
    expect(health.status).toBe(503);
    await health.body?.cancel();
    await waitOnExecutionContext(ctx);
  });
});
