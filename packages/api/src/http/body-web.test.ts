import { Control } from '@gasgauge/core';
import { DataDir, FileTownDirectory, openSqlite } from '@gasgauge/server';
import { tempDir } from '@gasgauge/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { MAX_AUTH_FORM_BYTES } from '../auth/routes.js';
import { hashToken, newId, newUserToken } from '../auth/user-token.js';
import { LiveHub } from '../metrics/live-hub.js';
import { LocalControlStore } from '../ports/local-control.js';
import { LocalTowns } from '../ports/local-towns.js';
import { MAX_BODY_BYTES } from './body.js';

/*
 * The Web-standard reader, as a host without its own (Workers) runs it: the app's fetch handler with a
 * streamed Request body. No socket here: on Node the same routes run through node-body.ts, which
 * body-limit-http.test.ts covers over real HTTP.
 */
const dataDir = new DataDir(tempDir('gg-web-body-'));
const sql = openSqlite(dataDir.controlFile);
const control = new Control(sql, Date.now);
const towns = new FileTownDirectory(dataDir, Date.now);
const app = createApp({
  control: new LocalControlStore(control, Date.now),
  towns: new LocalTowns((id) => towns.get(id)),
  secret: new Uint8Array(32),
  clock: Date.now,
  live: new LiveHub(),
});
let token: string;

beforeAll(async () => {
  const user = control.createUser(newId('user'), 'web');
  token = newUserToken();
  control.addToken(user.id, await hashToken(token), 'test');
});
afterAll(() => {
  towns.close();
  sql.close();
});

/** A body streamed in 64 KiB chunks, with no length known up front. */
function stream(bytes: number, head = ''): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      const n = Math.min(64 * 1024, bytes - sent);
      const chunk = sent === 0 ? enc.encode(head.padEnd(n, ' ')) : new Uint8Array(n).fill(0x20);
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
}

const post = (path: string, body: ReadableStream<Uint8Array>, headers: Record<string, string>) =>
  app.fetch(new Request(`http://127.0.0.1${path}`, { method: 'POST', body, headers, duplex: 'half' } as RequestInit));

describe('the Web-standard body reader', () => {
  it('takes a streamed tRPC body up to the limit', async () => {
    const res = await post('/trpc/towns.create', stream(MAX_BODY_BYTES, '{"name": "streamed"}'), {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
    });
    expect(res.status, await res.clone().text()).toBe(200);
  });

  // tRPC reads a body only for a valid credential; the /auth forms have their own, smaller limit.
  it.each([
    ['/trpc/towns.create', MAX_BODY_BYTES, () => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' })],
    [
      '/auth/login',
      MAX_AUTH_FORM_BYTES,
      () => ({ origin: 'http://127.0.0.1', host: '127.0.0.1', 'content-type': 'application/x-www-form-urlencoded' }),
    ],
  ] as const)('413 for a streamed body one byte over, on %s', async (path, limit, headers) => {
    const res = await post(path, stream(limit + 1), headers());
    expect(res.status).toBe(413);
    expect(res.headers.get('connection')).toBe('close');
    expect(await res.json()).toEqual({ error: { code: 'payload_too_large', message: expect.any(String), path: 'body' } });
  });

  it('does not read a tRPC body without a valid credential: 401, the stream left unread', async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
      },
    });
    const res = await post('/trpc/towns.create', body, {
      authorization: 'Bearer ggu_forged',
      'content-type': 'application/json',
    });
    expect(res.status).toBe(401);
    // The stream starts with a chunk or so queued; an endless body read would never have answered.
    expect(pulled).toBeLessThanOrEqual(2);
  });
});
