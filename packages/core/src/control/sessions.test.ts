import { join } from 'node:path';
import { openSqlite } from '@gasgauge/server/sqlite';
import { tempDir } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { Control } from './control.js';
import { LOGIN_LINK_TTL_MS, MAX_SESSIONS_PER_USER, SESSION_TTL_MS, Sessions } from './sessions.js';

function setup() {
  const now = { t: Date.UTC(2026, 10, 1, 12) };
  const sql = openSqlite(join(tempDir('gg-sessions-'), 'control.sqlite'));
  const control = new Control(sql, () => now.t);
  const user = control.createUser('user_1', 'ada');
  return { now, sql, control, user, sessions: new Sessions(sql, () => now.t) };
}

describe('sessions', () => {
  it('finds the user of a live session until it expires or is revoked', () => {
    const { now, sessions, user } = setup();
    expect(sessions.create('h1', user.id)).toEqual({ expiresAt: now.t + SESSION_TTL_MS });
    sessions.create('h2', user.id);
    expect(sessions.userId('h1')).toBe(user.id);
    expect(sessions.userId('nope')).toBeUndefined();
    sessions.revoke('h1');
    expect(sessions.userId('h1')).toBeUndefined();
    now.t += SESSION_TTL_MS;
    expect(sessions.userId('h2')).toBeUndefined();
  });

  it('stores nothing but the hashes it is given, and prunes expired rows on the next sign-in', () => {
    const { now, sessions, sql, user } = setup();
    sessions.create('h1', user.id, 1000);
    now.t += 1000;
    sessions.create('h2', user.id);
    expect(sql.rows('SELECT token_hash FROM sessions')).toEqual([['h2']]);
  });
});

describe('sessions per user', () => {
  it(`keeps a user's newest ${MAX_SESSIONS_PER_USER}: a sign-in past that ends the oldest, and no other user's`, () => {
    const { now, sql, control, sessions, user } = setup();
    const other = control.createUser('user_2', 'bob');
    sessions.create('other', other.id);
    for (let i = 0; i < MAX_SESSIONS_PER_USER + 50; i++) {
      now.t += 1;
      sessions.create(`h${i}`, user.id);
    }
    expect(sql.rows('SELECT count(*) FROM sessions WHERE user_id = ?', user.id)).toEqual([[MAX_SESSIONS_PER_USER]]);
    expect(sessions.userId('h49')).toBeUndefined();
    expect(sessions.userId('h50')).toBe(user.id);
    expect(sessions.userId(`h${MAX_SESSIONS_PER_USER + 49}`)).toBe(user.id);
    expect(sessions.userId('other')).toBe(other.id);
  });
});

describe('one-time login links', () => {
  it('signs in once: a second use, or a use after expiry, gets nothing', () => {
    const { now, sessions, user } = setup();
    sessions.createLoginLink('c1', user.id, '/towns/t1');
    sessions.createLoginLink('c2', user.id, null);
    expect(sessions.peekLoginLink('c1')).toEqual({ userId: user.id, nextPath: '/towns/t1' });
    expect(sessions.consumeLoginLink('c1')).toEqual({ userId: user.id, nextPath: '/towns/t1' });
    expect(sessions.consumeLoginLink('c1')).toBeUndefined();
    expect(sessions.peekLoginLink('c1')).toBeUndefined();
    now.t += LOGIN_LINK_TTL_MS;
    expect(sessions.consumeLoginLink('c2')).toBeUndefined();
  });
});
