import { AppError, Control } from '@gasgauge/core';
import { openSqlite } from '@gasgauge/server';
import { tempDir } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import type { ControlStore } from '../ports/control.js';
import { LocalControlStore } from '../ports/local-control.js';
import { IngestKeyVerifier, KEY_CACHE_MAX_ENTRIES, newIngestKey, revokeIngestKey } from './ingest-key.js';
import { hashToken } from './user-token.js';

const T0 = Date.UTC(2026, 10, 1, 12);
/** Keys a town may have (MAX_INGEST_KEYS_PER_TOWN). */
const PER_TOWN = 100;

/** A real control store on a SQLite file with `n` ingest keys, spread over towns of 100; revokes go straight to the file. */
async function setup(n: number) {
  const control = new Control(openSqlite(`${tempDir('gg-key-cache-')}/control.sqlite`), () => T0, {
    maxTownsPerOwner: Math.ceil(n / PER_TOWN),
  });
  const user = control.createUser('u1', 'alice');
  const keys = Array.from({ length: n }, () => newIngestKey());
  const hashes = await Promise.all(keys.map(hashToken));
  const named = (i: number) => ({ townId: `t${Math.floor(i / PER_TOWN)}`, name: `k${i}` });
  control.sql.transaction(() => {
    for (let t = 0; t * PER_TOWN < n; t++) control.createTown(`t${t}`, `town ${t}`, { userId: user.id });
    for (const [i, hash] of hashes.entries()) control.ingestKeys.create(hash, named(i).townId, named(i).name, null);
  });
  const store = new LocalControlStore(control, () => T0);
  /** Revoked in the file, not through the API: the verifier's memory is not told. */
  const revokeBehind = (i: number) => control.ingestKeys.revoke(named(i).townId, named(i).name);
  return { store, keys, named, revokeBehind };
}

const refused = (p: Promise<unknown>) => expect(p).rejects.toSatisfy((e) => e instanceof AppError && e.code === 'unauthorized');

describe('verified keys', () => {
  it('unknown keys do not push a verified key out: after more of them than it holds it is still answered from memory', async () => {
    const { store, keys, revokeBehind } = await setup(1);
    const verifier = new IngestKeyVerifier(store);
    await verifier.verify(keys[0] as string, T0);
    for (let i = 0; i <= KEY_CACHE_MAX_ENTRIES; i++) await refused(verifier.verify(newIngestKey(), T0));
    revokeBehind(0);
    expect((await verifier.verify(keys[0] as string, T0)).townId).toBe('t0');
  });

  it(`holds at most ${KEY_CACHE_MAX_ENTRIES} keys, forgetting the oldest first`, async () => {
    const { store, keys, revokeBehind } = await setup(KEY_CACHE_MAX_ENTRIES + 1);
    const verifier = new IngestKeyVerifier(store);
    for (const key of keys) await verifier.verify(key, T0);
    revokeBehind(0);
    revokeBehind(1);
    await refused(verifier.verify(keys[0] as string, T0));
    expect((await verifier.verify(keys[1] as string, T0)).townId).toBe('t0');
  });

  it('a lookup under way when the key is revoked does not remember it', async () => {
    const { store, keys, named } = await setup(1);
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let answered = () => {};
    const read = new Promise<void>((resolve) => {
      answered = resolve;
    });
    // The store answers (the key still exists), then the answer is held until the revoke has gone through.
    const slow: ControlStore = Object.create(store, {
      ingestKeyByHash: {
        value: async (hash: string) => {
          const info = await store.ingestKeyByHash(hash);
          answered();
          await gate;
          return info;
        },
      },
    });
    const verifier = new IngestKeyVerifier(slow);
    const during = verifier.verify(keys[0] as string, T0);
    await read;
    await revokeIngestKey(slow, named(0).townId, named(0).name);
    release();
    expect((await during).townId).toBe('t0');
    await refused(verifier.verify(keys[0] as string, T0));
  });
});
