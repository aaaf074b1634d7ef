import { hashToken, LocalControlStore } from '@gasgauge/api';
import { AppError, Control, Sessions } from '@gasgauge/core';
import { describe, expect, it } from 'vitest';
import { openSqlite } from '../../../server/src/sqlite.js';
import { tempDir } from '../../../server/src/testing/temp.js';
import { countedControl } from '../testing/counted-control.js';
import { boundUnknownCredentials, RecentHashes } from '../unknown-credentials.js';

const T0 = Date.UTC(2026, 11, 5, 12);

/** A real control store on a SQLite file, counted (what would cross to the control object), behind the bound. */
async function setup(opts: {
  perSecond: number;
  burst: number;
  maxKnown?: number;
  vouched?: (hash: string) => boolean | Promise<boolean>;
  maxRefusedVouched?: number;
}) {
  const behind = new Control(openSqlite(`${tempDir('gg-unknown-credentials-')}/control.sqlite`), () => T0);
  const alice = behind.createUser('u1', 'alice');
  const aliceToken = await hashToken('ggu_alice');
  behind.addToken(alice.id, aliceToken, 'cli');
  const asked: string[] = [];
  let now = T0;
  const store = boundUnknownCredentials(countedControl(new LocalControlStore(behind, () => T0), asked), {
    ...opts,
    now: () => now,
  });
  return {
    behind,
    store,
    aliceToken,
    calls: () => asked.splice(0).length,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const random = (i: number) => hashToken(`ggu_made-up-${i}`);
const isRateLimited = (e: unknown) =>
  e instanceof AppError && e.code === 'too_many_requests' && e.path === 'credential' && (e.retryAfterSeconds ?? 0) >= 1;

describe('lookups of credentials not seen lately, per isolate', () => {
  it('a burst of made-up tokens reaches the control object up to the bucket, then 429s before any call', async () => {
    const { store, calls } = await setup({ perSecond: 10, burst: 5 });
    for (let i = 0; i < 5; i++) expect(await store.userByTokenHash(await random(i))).toBeUndefined();
    expect(calls()).toBe(5);
    for (let i = 5; i < 50; i++) await expect(store.userByTokenHash(await random(i))).rejects.toSatisfy(isRateLimited);
    // Every kind of secret draws on the same bucket.
    await expect(store.sessionUserId(await random(50))).rejects.toSatisfy(isRateLimited);
    await expect(store.ingestKeyByHash(await random(51))).rejects.toSatisfy(isRateLimited);
    await expect(store.peekLoginLink(await random(52))).rejects.toSatisfy(isRateLimited);
    expect(calls()).toBe(0);
  });

  it('refills at its rate: one lookup per 1/rate seconds once empty', async () => {
    const { store, calls, advance } = await setup({ perSecond: 10, burst: 2 });
    await store.userByTokenHash(await random(0));
    await store.userByTokenHash(await random(1));
    await expect(store.userByTokenHash(await random(2))).rejects.toSatisfy(isRateLimited);
    advance(99);
    await expect(store.userByTokenHash(await random(3))).rejects.toSatisfy(isRateLimited);
    advance(1);
    expect(await store.userByTokenHash(await random(4))).toBeUndefined();
    await expect(store.userByTokenHash(await random(5))).rejects.toSatisfy(isRateLimited);
    advance(60_000);
    // Never more than the burst after a long quiet.
    await store.userByTokenHash(await random(6));
    await store.userByTokenHash(await random(7));
    await expect(store.userByTokenHash(await random(8))).rejects.toSatisfy(isRateLimited);
    expect(calls()).toBe(5);
  });

  it('a real token found once is looked up freely during a flood; revoked, it draws on the bucket again', async () => {
    const { store, calls, aliceToken, behind } = await setup({ perSecond: 1, burst: 1 });
    expect((await store.userByTokenHash(aliceToken))?.name).toBe('alice');
    for (let i = 0; i < 20; i++) await expect(store.userByTokenHash(await random(i))).rejects.toSatisfy(isRateLimited);
    for (let i = 0; i < 5; i++) expect((await store.userByTokenHash(aliceToken))?.name).toBe('alice');
    expect(calls()).toBe(6);

    behind.sql.run('DELETE FROM api_tokens');
    expect(await store.userByTokenHash(aliceToken)).toBeUndefined();
    await expect(store.userByTokenHash(aliceToken)).rejects.toSatisfy(isRateLimited);
  });

  it('remembers at most maxKnown secrets, forgetting the oldest first', async () => {
    const { store, behind, calls } = await setup({ perSecond: 1, burst: 3, maxKnown: 2 });
    const hashes = [await hashToken('ggu_b1'), await hashToken('ggu_b2'), await hashToken('ggu_b3')];
    hashes.forEach((h, i) => {
      const u = behind.createUser(`b${i}`, `bob${i}`);
      behind.addToken(u.id, h, 'cli');
    });
    for (const h of hashes) expect(await store.userByTokenHash(h)).toBeDefined();
    // The bucket is empty: the two kept pass, the first one (forgotten) is refused.
    expect(await store.userByTokenHash(hashes[2] as string)).toBeDefined();
    expect(await store.userByTokenHash(hashes[1] as string)).toBeDefined();
    await expect(store.userByTokenHash(hashes[0] as string)).rejects.toSatisfy(isRateLimited);
    expect(calls()).toBe(5);
  });

  it('passes every other method through untouched', async () => {
    const { store, calls } = await setup({ perSecond: 1, burst: 1 });
    await store.userByTokenHash(await random(0));
    for (let i = 0; i < 10; i++) expect(await store.town('no-such-town')).toBeUndefined();
    expect(calls()).toBe(11);
  });
});

describe('secrets stored through the isolate', () => {
  it('a session, token or key created here is looked up freely from the start', async () => {
    const { store, calls } = await setup({ perSecond: 1, burst: 1 });
    await store.userByTokenHash(await random(0));
    const session = await hashToken('ggs_new');
    await store.createSession(session, 'u1');
    const token = await hashToken('ggu_new');
    await store.addToken('u1', token, 'cli');
    expect(await store.sessionUserId(session)).toBe('u1');
    expect((await store.userByTokenHash(token))?.id).toBe('u1');
    await expect(store.sessionUserId(await random(1))).rejects.toSatisfy(isRateLimited);
    expect(calls()).toBe(5);
  });
});

describe('the bucket’s clock', () => {
  it('a clock set back refills nothing and takes nothing away', async () => {
    const { store, advance } = await setup({ perSecond: 10, burst: 2 });
    await store.userByTokenHash(await random(0));
    advance(-3_600_000);
    expect(await store.userByTokenHash(await random(1))).toBeUndefined();
    await expect(store.userByTokenHash(await random(2))).rejects.toSatisfy(isRateLimited);
    advance(100);
    expect(await store.userByTokenHash(await random(3))).toBeUndefined();
  });
});

describe('credentials that vouch for themselves (api ports/credential-vouch.ts)', () => {
  it('a vouched lookup skips the empty bucket; the store refusing it once makes it count like any other', async () => {
    const vouched = new Set<string>();
    const { store, behind, calls } = await setup({ perSecond: 1, burst: 1, vouched: (h) => vouched.has(h) });
    await store.userByTokenHash(await random(0));
    await expect(store.userByTokenHash(await random(1))).rejects.toSatisfy(isRateLimited);
    const carol = await hashToken('ggu_carol');
    behind.addToken(behind.createUser('u3', 'carol').id, carol, 'cli');
    vouched.add(carol);
    expect((await store.userByTokenHash(carol))?.name).toBe('carol');
    // Revoked, the tag still checks: one free lookup answers that, then it waits its turn.
    behind.sql.run('DELETE FROM api_tokens');
    // Found before, it is remembered as known: that (not the tag) lets it in once more, to learn it is gone.
    expect(await store.userByTokenHash(carol)).toBeUndefined();
    await expect(store.userByTokenHash(carol)).rejects.toSatisfy(isRateLimited);
    // A vouched hash never found: refused once for free, then counted; for every kind of secret.
    for (const lookup of ['sessionUserId', 'ingestKeyByHash', 'peekLoginLink'] as const) {
      const h = await hashToken(`gone-${lookup}`);
      vouched.add(h);
      expect(await store[lookup](h)).toBeUndefined();
      await expect(store[lookup](h)).rejects.toSatisfy(isRateLimited);
    }
    expect(calls()).toBe(6);
  });

  it('asks whether a credential vouched only for a lookup it would count: a known one runs no check (no MAC)', async () => {
    const checked: string[] = [];
    const { store, aliceToken, calls } = await setup({
      perSecond: 1,
      burst: 1,
      vouched: async (h) => {
        checked.push(h);
        return false;
      },
    });
    expect((await store.userByTokenHash(aliceToken))?.name).toBe('alice');
    expect(checked).toEqual([aliceToken]);
    // Found once, it is known: its next lookups ask nothing.
    for (let i = 0; i < 3; i++) expect((await store.userByTokenHash(aliceToken))?.name).toBe('alice');
    expect(checked).toEqual([aliceToken]);
    expect(calls()).toBe(4);
  });

  it('a consumed login link is refused from then on: its tag still checks, but it will never be found again', async () => {
    const vouched = new Set<string>();
    const { store, behind } = await setup({ perSecond: 1, burst: 1, vouched: (h) => vouched.has(h) });
    await store.userByTokenHash(await random(0));
    const link = await hashToken('ggl_link');
    vouched.add(link);
    new Sessions(behind.sql, () => T0).createLoginLink(link, 'u1', null);
    expect(await store.peekLoginLink(link)).toBeDefined();
    expect(await store.consumeLoginLink(link)).toBeDefined();
    await expect(store.peekLoginLink(link)).rejects.toSatisfy(isRateLimited);
  });

  it('remembers at most maxRefusedVouched refused hashes, forgetting the oldest first', async () => {
    const vouched = new Set<string>();
    const { store } = await setup({ perSecond: 1, burst: 1, vouched: (h) => vouched.has(h), maxRefusedVouched: 2 });
    await store.userByTokenHash(await random(0));
    const hashes = [await random(10), await random(11), await random(12)];
    for (const h of hashes) vouched.add(h);
    for (const h of hashes) expect(await store.userByTokenHash(h)).toBeUndefined();
    expect(await store.userByTokenHash(hashes[0] as string)).toBeUndefined(); // forgotten: free again
    await expect(store.userByTokenHash(hashes[2] as string)).rejects.toSatisfy(isRateLimited);
  });

  it('RecentHashes keeps at most its size, the one added (again) longest ago forgotten first', () => {
    const recent = new RecentHashes(2);
    recent.add('a');
    recent.add('b');
    recent.add('a');
    recent.add('c');
    expect([recent.has('a'), recent.has('b'), recent.has('c'), recent.size]).toEqual([true, false, true, 2]);
  });
});
