import { abortAllDurableObjects, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { KNOWN_SCHEMA_VERSIONS } from '@gasgauge/core';
import { describe, expect, it, vi } from 'vitest';
import { doTowns } from '../towns.js';

const townStub = (townId: string) => env.TOWN.get(env.TOWN.idFromName(townId));

describe('a town object whose storage an older version left', () => {
  it('migrates it and says so once, in the log', async () => {
    const latest = KNOWN_SCHEMA_VERSIONS.town;
    // An agent whose events arrived against their order: at one ms the larger id is the newer, a late event's role kept.
    const at = Date.now() - 60_000;
    const agent = { type: 'agent', agentId: 'p1' } as const;
    for (const events of [
      [{ id: 'b', at, ...agent, status: 'working', beadId: 'gt-1' }],
      [{ id: 'a', at, ...agent, status: 'idle' }],
      [{ id: '0', at: at - 1000, ...agent, status: 'working', role: 'polecat' }],
    ] as const)
      await doTowns(env.TOWN).get('upgraded').ingest({ kind: 'events', events });
    const agentRow = () =>
      runInDurableObject(townStub('upgraded'), (_o, state) =>
        state.storage.sql.exec('SELECT role, status, bead_id, status_event_id FROM agents').toArray(),
      );
    const settled = [{ role: 'polecat', status: 'working', bead_id: 'gt-1', status_event_id: 'b' }];
    expect(await agentRow()).toEqual(settled);
    await runInDurableObject(townStub('upgraded'), (_o, state) => {
      // The last step again, as if an older version had stopped before it (re-runnable: a second run changes nothing).
      state.storage.sql.exec('DELETE FROM schema_migrations WHERE version = ?', latest);
    });
    await abortAllDurableObjects();
    const log = vi.spyOn(console, 'log');
    try {
      await doTowns(env.TOWN).get('upgraded').throughput();
      await doTowns(env.TOWN).get('upgraded').throughput();
      const lines = log.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('schema'));
      expect(lines).toEqual([`town object upgraded: schema upgraded from version ${latest - 1} to ${latest}`]);
      expect(await agentRow()).toEqual(settled);
    } finally {
      log.mockRestore();
    }
  });
});

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
