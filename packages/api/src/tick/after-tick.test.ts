import { Control } from '@gasgauge/core';
import { DataDir, FileTownDirectory, openSqlite } from '@gasgauge/server';
import { tempDir, usageRecord } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { LiveHub } from '../metrics/live-hub.js';
import type { LiveBus } from '../ports/live-bus.js';
import { LocalControlStore } from '../ports/local-control.js';
import { LocalTowns } from '../ports/local-towns.js';
import type { TownDirectory } from '../ports/town.js';
import { type TickDeps, tickTown } from './after-tick.js';

const T0 = Date.UTC(2026, 10, 1, 12);

/** The Node host's pieces on real SQLite files: a control store, town files, handles; a bus that records what it was told. */
function setup() {
  const now = { t: T0 };
  const clock = () => now.t;
  const dataDir = new DataDir(tempDir('gg-after-tick-'));
  const control = new Control(openSqlite(dataDir.controlFile), clock);
  const files = new FileTownDirectory(dataDir, clock);
  const user = control.createUser('u1', 'alice');
  const town = control.createTown('t1', 'one', { userId: user.id });
  const other = control.createTown('t2', 'two', { userId: user.id });
  const published: string[] = [];
  const hub = new LiveHub();
  const live: LiveBus = {
    publish: (id) => void published.push(id),
    publishSoon: (id) => hub.publishSoon(id),
    changes: (id, signal) => hub.changes(id, signal),
  };
  let alerts = 0;
  const deps = (towns: TownDirectory = new LocalTowns((id) => files.get(id))): TickDeps => ({
    towns,
    control: new LocalControlStore(control, clock),
    live,
    alertsRaised: () => alerts++,
    log: () => {},
  });
  const spend = (id: string, cost: number) =>
    files.get(town.id).ingestUsage([usageRecord({ id, costMicrodollars: cost, at: now.t - 1000 })]);
  const debited = () => -control.ledger.balance(user.id);
  return { now, files, town, other, published, deps, spend, debited, alerts: () => alerts };
}

describe('tickTown (the after-tick sequence of every host)', () => {
  it("ticks, debits the owning account once, empties the outbox, and tells this town's and the account's other towns' viewers", async () => {
    const s = setup();
    s.spend('r1', 1234);
    await tickTown(s.deps(), s.town.id);
    expect(s.debited()).toBe(1234);
    expect(s.files.get(s.town.id).outbox()).toEqual([]);
    expect(s.published.sort()).toEqual([s.town.id, s.other.id]);
    expect(s.alerts()).toBe(1);
    s.now.t += 60_000;
    await tickTown(s.deps(), s.town.id);
    expect(s.debited()).toBe(1234);
  });

  it('settles what an earlier tick closed even when this tick fails, then rethrows and publishes nothing', async () => {
    const s = setup();
    s.spend('r1', 500);
    s.files.get(s.town.id).tick(); // closed into the outbox, not yet settled
    const local = new LocalTowns((id) => s.files.get(id));
    const failing: TownDirectory = {
      // Every method of the town's handle but tick (a class instance: its methods are on the prototype).
      get: (id) =>
        new Proxy(local.get(id), {
          get: (handle, key) => {
            if (key === 'tick') return () => Promise.reject(new Error('disk full'));
            const value = Reflect.get(handle, key);
            return typeof value === 'function' ? value.bind(handle) : value;
          },
        }),
    };
    await expect(tickTown(s.deps(failing), s.town.id)).rejects.toThrow('disk full');
    expect(s.debited()).toBe(500);
    expect(s.files.get(s.town.id).outbox()).toEqual([]);
    expect(s.published).not.toContain(s.town.id);
  });

  it('a crash after the account recorded the outbox and before the town deleted it debits nothing more next time', async () => {
    const s = setup();
    s.spend('r1', 700);
    const crash = () => {
      throw new Error('killed');
    };
    await expect(tickTown(s.deps(), s.town.id, { beforeAck: crash })).rejects.toThrow('killed');
    expect(s.debited()).toBe(700);
    expect(s.files.get(s.town.id).outbox().length).toBeGreaterThan(0);
    s.now.t += 60_000;
    await tickTown(s.deps(), s.town.id);
    expect(s.debited()).toBe(700);
    expect(s.files.get(s.town.id).outbox()).toEqual([]);
  });
});
