import { Control, Sessions } from '@gasgauge/core';
import { openSqlite } from '@gasgauge/server/sqlite';
import { startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoginLink, safeNextPath } from './session.js';
import { hashToken } from './user-token.js';

let s: TestServer;
let origin: string;
beforeAll(async () => {
  s = await startTestServer();
  origin = s.url;
});
afterAll(async () => {
  await s?.close();
});

/** One request with redirects left to the caller, as a browser form post or script would send it. */
async function send(
  method: 'GET' | 'POST',
  path: string,
  opts: {
    origin?: string | null;
    cookie?: string;
    form?: Partial<Record<'token' | 'next' | 'code', string>>;
    json?: unknown;
    headers?: Partial<Record<'x-forwarded-proto' | 'authorization', string>>;
  } = {},
) {
  const headers = new Headers(opts.headers);
  if (opts.origin !== null && method === 'POST') headers.set('origin', opts.origin ?? origin);
  if (opts.cookie) headers.set('cookie', opts.cookie);
  let body: string | undefined;
  if (opts.form) {
    headers.set('content-type', 'application/x-www-form-urlencoded');
    body = new URLSearchParams(opts.form).toString();
  } else if (opts.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(opts.json);
  }
  const res = await fetch(s.url + path, { method, headers, body: body ?? null, redirect: 'manual' });
  const setCookie = res.headers.get('set-cookie') ?? '';
  return { status: res.status, location: res.headers.get('location'), setCookie, text: await res.text(), headers: res.headers };
}

const cookieOf = (setCookie: string) => setCookie.split(';')[0] as string;

async function signIn(): Promise<string> {
  const r = await send('POST', '/auth/login', { form: { token: s.adminToken } });
  expect(r.status).toBe(303);
  return cookieOf(r.setCookie);
}

describe('sign-in with an API token (the /login form)', () => {
  it('sets an HttpOnly, SameSite=Strict session cookie that expires, and redirects to next', async () => {
    const r = await send('POST', '/auth/login', { form: { token: s.adminToken, next: '/towns/x' } });
    expect(r.status).toBe(303);
    expect(r.location).toBe('/towns/x');
    expect(r.setCookie).toMatch(/^gg_session=ggs_[\w-]+;/);
    expect(r.setCookie).toMatch(/Max-Age=604800/);
    expect(r.setCookie).toMatch(/Path=\//);
    expect(r.setCookie).toMatch(/HttpOnly/);
    expect(r.setCookie).toMatch(/SameSite=Strict/);
    expect(r.setCookie).not.toMatch(/Secure/);
    const me = await send('GET', '/auth/me', { cookie: cookieOf(r.setCookie) });
    expect(JSON.parse(me.text)).toEqual({ user: { id: expect.any(String), name: 'admin', isAdmin: true } });
  });

  it('marks the cookie Secure behind an https proxy', async () => {
    const r = await send('POST', '/auth/login', { form: { token: s.adminToken }, headers: { 'x-forwarded-proto': 'https' } });
    expect(r.setCookie).toMatch(/Secure/);
  });

  it('sends a wrong token back to /login with an error, and keeps next', async () => {
    const r = await send('POST', '/auth/login', { form: { token: 'ggu_nope', next: '/towns/x' } });
    expect(r.status).toBe(303);
    expect(r.location).toBe('/login?error=invalid_token&next=%2Ftowns%2Fx');
    expect(r.setCookie).toBe('');
  });

  it('refuses a sign-in post from another origin, or without an Origin', async () => {
    expect((await send('POST', '/auth/login', { form: { token: s.adminToken }, origin: 'http://evil.example' })).status).toBe(
      403,
    );
    expect((await send('POST', '/auth/login', { form: { token: s.adminToken }, origin: null })).status).toBe(403);
    expect((await send('POST', '/auth/login', { form: { token: s.adminToken }, origin: 'null' })).status).toBe(403);
  });

  it('signs in and goes to / when next holds DEL, a control or a non-ASCII character (percent-encoded is fine)', async () => {
    for (const next of ['/towns/a\x7f', '/towns/caf\u00e9', '/towns/\u00ff', '/towns/\u2603', '/a b', '/a\tb']) {
      const r = await send('POST', '/auth/login', { form: { token: s.adminToken, next } });
      expect(r.status, JSON.stringify(next)).toBe(303);
      expect(r.location).toBe('/');
      expect((await send('GET', '/auth/me', { cookie: cookieOf(r.setCookie) })).status).toBe(200);
    }
    const encoded = '/towns/caf%C3%A9?range=1h&x=%7F';
    expect((await send('POST', '/auth/login', { form: { token: s.adminToken, next: encoded } })).location).toBe(encoded);
    // A wrong token keeps only a next that is safe to send back.
    const wrong = await send('POST', '/auth/login', { form: { token: 'ggu_nope', next: '/towns/a\x7f' } });
    expect(wrong.status).toBe(303);
    expect(wrong.location).toBe('/login?error=invalid_token');
  });

  it('ignores a next that leaves the origin', async () => {
    for (const next of ['//evil.example', 'https://evil.example', '/\\evil.example']) {
      expect((await send('POST', '/auth/login', { form: { token: s.adminToken, next } })).location).toBe('/');
    }
  });
});

describe('the /auth forms refuse what no browser form sends, before any credential', () => {
  const post = (path: string, type: string, body: string) =>
    fetch(s.url + path, { method: 'POST', headers: { origin, 'content-type': type }, body, redirect: 'manual' });

  it('a multipart body (even one FormData cannot parse) is a 400 naming content-type, not a 500', async () => {
    for (const path of ['/auth/login', '/auth/link'])
      for (const body of [
        '--b\r\n\r\n\r\n--b--\r\n',
        `--b\r\nContent-Disposition: form-data; name="token"\r\n\r\n${s.adminToken}\r\n--b--\r\n`,
      ]) {
        const r = await post(path, 'multipart/form-data; boundary=b', body);
        expect(r.status, `${path}: ${body}`).toBe(400);
        expect(await r.json()).toMatchObject({ error: { code: 'bad_request', path: 'content-type' } });
        expect(r.headers.get('set-cookie')).toBeNull();
      }
  });

  it('a form of 260,000 fields is a 413 before it is parsed', async () => {
    const r = await post('/auth/login', 'application/x-www-form-urlencoded', Array(260_000).fill('a=b').join('&'));
    expect(r.status).toBe(413);
    expect(await r.json()).toMatchObject({ error: { code: 'payload_too_large', path: 'body' } });
  });
});

describe('the session cookie on tRPC', () => {
  it('reads and mutates with the cookie from this origin', async () => {
    const cookie = await signIn();
    const list = await send('GET', '/trpc/towns.list', { cookie });
    expect(list.status).toBe(200);
    expect(JSON.parse(list.text).result.data[0].id).toBe(s.townId);
    const created = await send('POST', '/trpc/towns.create', { cookie, json: { name: 'Cookie Town' } });
    expect(created.status).toBe(200);
  });

  it('refuses a cookie-authenticated mutation from another origin or without Origin', async () => {
    const cookie = await signIn();
    const evil = await send('POST', '/trpc/towns.create', { cookie, json: { name: 'Evil' }, origin: 'http://evil.example' });
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.text).error.code).toBe('forbidden');
    expect((await send('POST', '/trpc/towns.create', { cookie, json: { name: 'Evil' }, origin: null })).status).toBe(403);
  });

  it('lets scripts mutate with a bearer token and no Origin, as before', async () => {
    const r = await send('POST', '/trpc/towns.create', {
      json: { name: 'Script Town' },
      origin: null,
      headers: { authorization: `Bearer ${s.adminToken}` },
    });
    expect(r.status).toBe(200);
  });

  it('signs out: the cookie is cleared and the session no longer reads', async () => {
    const cookie = await signIn();
    const out = await send('POST', '/auth/logout', { cookie });
    expect(out.status).toBe(303);
    expect(out.location).toBe('/login');
    expect(out.setCookie).toMatch(/gg_session=;.*Max-Age=0/);
    expect((await send('GET', '/trpc/towns.list', { cookie })).status).toBe(401);
    expect((await send('GET', '/auth/me', { cookie })).status).toBe(401);
  });
});

describe('one-time login links', () => {
  async function link(next?: string): Promise<string> {
    const sql = openSqlite(`${s.dataDir}/control.sqlite`);
    try {
      const control = new Control(sql, () => Date.now());
      const admin = control.userByName('admin');
      return (await createLoginLink(new Sessions(sql, () => Date.now()), admin?.id ?? '', next)).path;
    } finally {
      sql.close();
    }
  }

  it('opens a page that posts the code (GET never signs in); the post signs in once', async () => {
    const path = await link('/towns/abc');
    const page = await send('GET', path);
    expect(page.status).toBe(200);
    expect(page.setCookie).toBe('');
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'nonce-/);
    const code = new URL(s.url + path).searchParams.get('code') as string;
    expect(page.text).toContain(`value="${code}"`);

    const first = await send('POST', '/auth/link', { form: { code } });
    expect(first.status).toBe(303);
    expect(first.location).toBe('/towns/abc');
    expect(first.setCookie).toMatch(/^gg_session=ggs_/);
    expect((await send('GET', '/auth/me', { cookie: cookieOf(first.setCookie) })).status).toBe(200);

    const again = await send('POST', '/auth/link', { form: { code } });
    expect(again.location).toBe('/login?error=link_expired');
    expect(again.setCookie).toBe('');
    expect((await send('GET', path)).location).toBe('/login?error=link_expired');
  });
});

describe('one-time links with a next that is not printable ASCII', () => {
  it('sign in and go to / (the link was made by createLoginLink, or stored raw by an older version)', async () => {
    const sql = openSqlite(`${s.dataDir}/control.sqlite`);
    const codes: string[] = [];
    try {
      const sessions = new Sessions(sql, () => Date.now());
      const admin = new Control(sql, () => Date.now()).userByName('admin')?.id ?? '';
      for (const next of ['/towns/a\x7f', '/towns/caf\u00e9', '/towns/\u2603']) {
        const path = (await createLoginLink(sessions, admin, next)).path;
        codes.push(new URL(s.url + path).searchParams.get('code') as string);
        const raw = `ggl_raw_${codes.length}`;
        sessions.createLoginLink(await hashToken(raw), admin, next);
        codes.push(raw);
      }
    } finally {
      sql.close();
    }
    for (const code of codes) {
      const r = await send('POST', '/auth/link', { form: { code } });
      expect(r.status, code).toBe(303);
      expect(r.location).toBe('/');
      expect((await send('GET', '/auth/me', { cookie: cookieOf(r.setCookie) })).status).toBe(200);
    }
  });
});

describe('safeNextPath', () => {
  it('keeps same-origin paths only', () => {
    expect(safeNextPath('/towns/a?from=1&to=2')).toBe('/towns/a?from=1&to=2');
    for (const bad of [
      '//x',
      '/\\x',
      'http://x',
      'x',
      '',
      42,
      undefined,
      '/a\nb',
      '/a\x7f',
      '/\u0080',
      '/caf\u00e9',
      '/\u2603',
      '/a b',
    ])
      expect(safeNextPath(bad)).toBeNull();
    expect(safeNextPath('/a%20b/caf%C3%A9?q=%7F#frag')).toBe('/a%20b/caf%C3%A9?q=%7F#frag');
  });
});
