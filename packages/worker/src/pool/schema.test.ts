import { abortAllDurableObjects, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { KNOWN_SCHEMA_VERSIONS } from '@gasgauge/core';
import { describe, expect, it } from 'vitest';
import { doTowns } from '../towns.js';

const townStub = (townId: string) => env.TOWN.get(env.TOWN.idFromName(townId));

describe('a town object whose storage a newer version migrated (a rollback past a schema change)', () => {
  it('refuses to open it, saying so, instead of running on a schema it does not know', async () => {
    const newer = KNOWN_SCHEMA_VERSIONS.town + 1;
    await runInDurableObject(townStub('rolled-back'), (_o, state) => {
      state.storage.sql.exec('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', newer, Date.now());
    });
    await abortAllDurableObjects(); // the next call starts the object again, as a new deploy does

    await expect(doTowns(env.TOWN).get('rolled-back').throughput()).rejects.toThrow(
      `the database has schema version ${newer}, newer than this Gas Gauge knows (${KNOWN_SCHEMA_VERSIONS.town})`,
    );
  });
});
