import { hashToken, LocalControlStore } from '@gasgauge/api';
import { AppError, Control } from '@gasgauge/core';
import { describe, expect, it } from 'vitest';
import { openSqlite } from '../../../server/src/sqlite.js';
import { tempDir } from '../../../server/src/testing/temp.js';
import { ACCESS_CACHE_MAX_ENTRIES, ACCESS_CACHE_TTL_MS, accessCache } from '../access-cache.js';
import { countedControl } from '../testing/counted-control.js';

const T0 = Date.UTC(2026, 11, 4, 12);

/**
 * A real control store on a SQLite file (what the control object runs), counted: `calls` is what would
 * cross to the control object. `behind` is the same file changed directly, as another isolate would.
 */
async function setup() {
  const behind = new Control(openSqlite(`${tempDir('gg-access-cache-')}/control.sqlite`), () => T0);
  const alice = behind.createUser('u1', 'alice');
  const bob = behind.createUser('u2', 'bob');
  const tokenHash = await hashToken('ggu_alice');
  behind.addToken(alice.id, tokenHash, 'cli');
  behind.createTown('t1', 'town one', { userId: alice.id });
  const org = behind.orgs.create('o1', 'org one', alice.id);
  behind.createTown('t2', 'town two', { orgId: org.id });
  const counted: string[] = [];
  const local = new LocalControlStore(behind, () => T0);
  const store = countedControl(local, counted);
  let now = T0;
  const { cached } = accessCache(store, { now: () => now });
  return {
    behind,
    alice,
    bob,
    org,
    tokenHash,
    cached,
    calls: () => counted.splice(0).length,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const notFound = (p: Promise<unknown>) => expect(p).rejects.toSatisfy((e) => e instanceof AppError && e.code === 'not_found');

describe('the Worker’s access cache', () => {
  it('answers a repeated credential and town check from memory, and asks again after the TTL', async () => {
    const { cached, tokenHash, calls, advance, behind } = await setup();
    const read = async () => {
      const user = await cached.userByTokenHash(tokenHash);
      if (!user) throw new Error('token not found');
      return cached.townFor(user, 't1');
    };
    expect((await read()).name).toBe('town one');
    expect(calls()).toBe(2);
    for (let i = 0; i < 10; i++) await read();
    expect(calls()).toBe(0);

    // Another isolate deletes the token: this one still trusts it until the TTL has passed, then asks.
    behind.sql.run('DELETE FROM api_tokens');
    advance(ACCESS_CACHE_TTL_MS - 1);
    expect(await cached.userByTokenHash(tokenHash)).toBeDefined();
    advance(1);
    expect(await cached.userByTokenHash(tokenHash)).toBeUndefined();
    expect(calls()).toBe(1);
  });

  it('forgets every answer when a change goes through it: a sign-out or a removal is seen at once', async () => {
    const { cached, calls, alice, bob, org } = await setup();
    const session = await hashToken('ggs_bob');
    await cached.createSession(session, bob.id);
    await cached.setOrgMember(org.id, bob.id, 'member');
    expect(await cached.sessionUserId(session)).toBe(bob.id);
    expect((await cached.townFor(bob, 't2')).id).toBe('t2');
    calls();

    await cached.removeOrgMember(alice, org.id, bob.id);
    await notFound(cached.townFor(bob, 't2'));
    await cached.revokeSession(session);
    expect(await cached.sessionUserId(session)).toBeUndefined();
    expect(calls()).toBe(4);
  });

  it('keeps nothing a lookup read while a change was under way', async () => {
    const { cached, bob, org, behind, calls } = await setup();
    behind.orgs.setMember(org.id, bob.id, 'member');
    // The lookup starts, then a removal starts and ends before the lookup's answer is used.
    const lookup = cached.townFor(bob, 't2');
    const removal = cached.removeOrgMember(bob, org.id, bob.id);
    expect((await lookup).id).toBe('t2');
    await removal;
    calls();
    await notFound(cached.townFor(bob, 't2'));
    expect(calls()).toBe(1);
  });

  it('never remembers a refusal or an unknown credential, so random ones cost memory nothing', async () => {
    const { cached, calls, bob, tokenHash } = await setup();
    for (let i = 0; i < 3; i++) {
      await notFound(cached.townFor(bob, 't1'));
      expect(await cached.userByTokenHash(await hashToken(`ggu_random${i}`))).toBeUndefined();
    }
    expect(calls()).toBe(6);
    await cached.userByTokenHash(tokenHash);
    await cached.userByTokenHash(tokenHash);
    expect(calls()).toBe(1);
  });

  it('keys a check by the user and by the permission asked: a member who may read is still refused to manage', async () => {
    const { cached, calls, alice, bob, org, behind } = await setup();
    behind.orgs.setMember(org.id, bob.id, 'member');
    expect((await cached.townFor(bob, 't2')).id).toBe('t2');
    await expect(cached.townFor(bob, 't2', 'manageTowns')).rejects.toSatisfy(
      (e) => e instanceof AppError && e.code === 'forbidden',
    );
    expect((await cached.townFor(alice, 't2', 'manageTowns')).id).toBe('t2');
    await notFound(cached.townFor({ ...alice, id: bob.id }, 't1'));
    expect(calls()).toBe(4);
  });

  it(`holds at most ${ACCESS_CACHE_MAX_ENTRIES} answers, forgetting the oldest first`, async () => {
    const { behind, calls } = await setup();
    const local = new LocalControlStore(behind, () => T0);
    const asked: string[] = [];
    const counting = countedControl(local, asked);
    const small = accessCache(counting, { maxEntries: 2, now: () => T0 }).cached;
    await small.userById('u1');
    await small.userById('u2');
    await small.userById('u1');
    expect(asked.filter((m) => m === 'userById')).toHaveLength(2);
    await small.townFor({ id: 'u1', name: 'alice', isAdmin: false, createdAt: T0 }, 't1');
    await small.userById('u2');
    expect(asked.filter((m) => m === 'userById')).toHaveLength(2);
    await small.userById('u1');
    expect(asked.filter((m) => m === 'userById')).toHaveLength(3);
    calls();
  });

  it('hands out answers frozen: a caller cannot change what other requests are told', async () => {
    const { cached, tokenHash } = await setup();
    const user = await cached.userByTokenHash(tokenHash);
    expect(() => {
      (user as { isAdmin: boolean }).isAdmin = true;
    }).toThrow(TypeError);
    expect((await cached.userByTokenHash(tokenHash))?.isAdmin).toBe(false);
  });
});
