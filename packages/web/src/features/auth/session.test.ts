import { describe, expect, it } from 'vitest';
import { checkSession, retryDelayMs } from './session.js';

const answer =
  (status: number, body: string, type = 'application/json'): typeof fetch =>
  async () =>
    new Response(body, { status, headers: { 'content-type': type } });
const check = (fetcher: typeof fetch) => checkSession(new AbortController().signal, fetcher);

describe('the session from /auth/me', () => {
  it('is signed in on 200 with a user', async () => {
    const user = { id: 'u1', name: 'admin', isAdmin: true };
    await expect(check(answer(200, JSON.stringify({ user })))).resolves.toEqual({ status: 'signedIn', user });
  });

  it('is signed out only on 401', async () => {
    await expect(check(answer(401, '{"error":{"code":"unauthorized"}}'))).resolves.toEqual({ status: 'signedOut' });
  });

  it('is unreachable, not signed out, on any other status, a network error or an answer that is no session', async () => {
    for (const status of [403, 404, 500, 502, 503, 504]) {
      await expect(check(answer(status, 'Bad Gateway', 'text/plain'))).resolves.toEqual({
        status: 'unreachable',
        reason: `the server answered ${status}`,
      });
    }
    const down: typeof fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    await expect(check(down)).resolves.toEqual({ status: 'unreachable', reason: 'no answer from the server' });
    for (const body of ['<!doctype html><title>maintenance</title>', '{}']) {
      await expect(check(answer(200, body))).resolves.toMatchObject({ status: 'unreachable' });
    }
  });

  it('rejects when aborted (the component is gone), rather than reporting a state', async () => {
    const ctrl = new AbortController();
    const slow: typeof fetch = (_url, init) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
      );
    const pending = checkSession(ctrl.signal, slow);
    ctrl.abort();
    await expect(pending).rejects.toThrow(/aborted/);
  });

  it('retries with backoff, at most 15 s apart', () => {
    expect([0, 1, 2, 3, 4, 5, 50].map(retryDelayMs)).toEqual([1000, 2000, 4000, 8000, 15_000, 15_000, 15_000]);
  });
});
