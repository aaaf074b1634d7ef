import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openSqlite } from '@gasgauge/server/sqlite';
import { tempDir, usageRecord } from '@gasgauge/server/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Control } from '../control/control.js';
import type { OutboxEntry } from '../town/outbox.js';
import { MAX_RETENTION_MS } from '../town/tiers.js';
import { Town } from '../town/town.js';
import { gasTank } from './gas-tank.js';
import { postOutbox, type Settled } from './settle.js';

interface TownOutbox {
  outbox(): OutboxEntry[];
  ackOutbox(seq: number): void;
}

/** What the host's tickTown does after the tick (api/src/tick/after-tick.ts), synchronously: post the outbox, then the town deletes it. */
function settleTown(control: Control, town: TownOutbox, townId: string): Settled {
  const entries = town.outbox();
  const last = entries.at(-1);
  const posted = postOutbox(control, townId, entries);
  if (last) town.ackOutbox(last.seq);
  return posted;
}

const T0 = Date.UTC(2026, 10, 25, 12);

/** A control store and a town on real files, reopened on demand as after a crash. */
function setup(owner: 'user' | 'org' = 'user') {
  const now = { t: T0 };
  const dir = tempDir('gg-settle-');
  const clock = () => now.t;
  let controlSql = openSqlite(join(dir, 'control.sqlite'));
  let townSql = openSqlite(join(dir, 'town.sqlite'));
  let control = new Control(controlSql, clock);
  let town = new Town(townSql, clock);
  const user = control.createUser('user_1', 'ada');
  const org = control.orgs.create('org_1', 'acme', user.id);
  const info = control.createTown('town_1', 'Gas Town', owner === 'user' ? { userId: user.id } : { orgId: org.id });
  let n = 0;
  return {
    now,
    user,
    org,
    get control() {
      return control;
    },
    get town() {
      return town;
    },
    townId: info.id,
    spend(cost: number, at = now.t) {
      town.ingestUsage([usageRecord({ id: `r${++n}`, at, costMicrodollars: cost })]);
    },
    dir,
    townSql: () => townSql,
    /** The town's file replaced by a copy made earlier (a restore from backup). */
    restoreTown(copy: string) {
      townSql.close();
      for (const f of ['town.sqlite', 'town.sqlite-wal', 'town.sqlite-shm']) rmSync(join(dir, f), { force: true });
      copyFileSync(copy, join(dir, 'town.sqlite'));
      townSql = openSqlite(join(dir, 'town.sqlite'));
      town = new Town(townSql, clock);
    },
    /** Like a SIGKILL: nothing in memory survives, only what was committed to the files. */
    restart() {
      controlSql.close();
      townSql.close();
      controlSql = openSqlite(join(dir, 'control.sqlite'));
      townSql = openSqlite(join(dir, 'town.sqlite'));
      control = new Control(controlSql, clock);
      town = new Town(townSql, clock);
    },
    debited(account: string) {
      return Number(
        controlSql.rows(
          "SELECT COALESCE(-SUM(amount_microdollars), 0) FROM ledger WHERE kind = 'debit' AND account_id = ?",
          account,
        )[0]?.[0],
      );
    },
    debitCount() {
      return Number(controlSql.rows("SELECT COUNT(*) FROM ledger WHERE kind = 'debit'")[0]?.[0]);
    },
  };
}

describe('settling a town into its account', () => {
  it('debits the cost of each billing snapshot once, also when the tick and the settle run twice', () => {
    const s = setup();
    s.spend(1234);
    s.town.tick();
    s.town.tick();
    expect(settleTown(s.control, s.town, s.townId)).toEqual({ debits: 1, alerts: 0, accountId: s.user.id, refused: [] });
    expect(settleTown(s.control, s.town, s.townId)).toEqual({ debits: 0, alerts: 0, accountId: null, refused: [] });
    s.town.tick();
    expect(settleTown(s.control, s.town, s.townId)).toEqual({ debits: 0, alerts: 0, accountId: null, refused: [] });
    expect(s.debited(s.user.id)).toBe(1234);
    expect(s.control.ledger.entries(s.user.id, 10).entries[0]).toMatchObject({
      kind: 'debit',
      amountMicrodollars: -1234,
      townId: s.townId,
      at: T0,
    });
  });

  it('closes at most one snapshot per minute, and the debits add up to the cost exactly', () => {
    const s = setup();
    s.spend(100);
    s.town.tick(); // the first tick closes
    s.now.t += 20_000;
    s.spend(200);
    s.town.tick(); // the same minute: waits
    expect(s.town.outbox().map((e) => e.amountMicrodollars)).toEqual([100]);
    s.now.t = T0 + 60_000;
    s.town.tick();
    expect(s.town.outbox().map((e) => e.amountMicrodollars)).toEqual([100, 300]); // the hour's running totals
    settleTown(s.control, s.town, s.townId);
    expect(s.debited(s.user.id)).toBe(300);
  });

  it('bills on at once when the clock was set back, also from a year ahead', () => {
    const s = setup();
    s.spend(100);
    s.town.tick();
    settleTown(s.control, s.town, s.townId);
    // A clock a year ahead for one tick (a wrong NTP answer) while a reporter sent what happened just now, then set right.
    s.now.t = T0 + 365 * 86_400_000;
    s.spend(50, T0 + 60_000);
    s.town.tick();
    settleTown(s.control, s.town, s.townId);
    s.now.t = T0 + 120_000;
    s.spend(200);
    s.town.tick();
    settleTown(s.control, s.town, s.townId);
    expect(s.debited(s.user.id)).toBe(350);
    // And once a period again from there.
    s.now.t += 10_000;
    s.spend(1);
    s.town.tick();
    expect(s.town.outbox()).toEqual([]);
  });

  it('keeps what an hour was debited through a settle stamped by a clock two years ahead', () => {
    const s = setup();
    const hour = Math.floor(T0 / 3_600_000) * 3_600_000;
    const debit = (seq: number, at: number, total: number): OutboxEntry => ({
      seq,
      kind: 'debit',
      at,
      amountMicrodollars: total,
      details: { hour },
    });
    postOutbox(s.control, s.townId, [debit(1, T0, 100)]);
    // A tick under a clock two years ahead posts the hour again (nothing new in it): its time is the clock's.
    postOutbox(s.control, s.townId, [debit(2, T0 + 730 * 86_400_000, 100)]);
    // Set right, the hour grows by 50: 50 is debited, not the hour's 150 again.
    postOutbox(s.control, s.townId, [debit(3, T0 + 60_000, 150)]);
    expect(s.debited(s.user.id)).toBe(150);
  });

  it('debits a backfill at the hours it happened, so it does not inflate the current burn', () => {
    const s = setup();
    s.control.ledger.grant(s.user.id, 10_000_000, T0 - 10 * 3_600_000);
    s.spend(40_000, T0 - 3 * 3_600_000 + 5_000); // a reporter catching up on three hours ago
    s.spend(300);
    s.town.tick();
    settleTown(s.control, s.town, s.townId);
    expect(s.control.ledger.entries(s.user.id, 10).entries.map((e) => [e.amountMicrodollars, e.at])).toEqual([
      [-300, T0],
      [-40_000, T0 - 2 * 3_600_000 - 1], // the end of its hour
      [10_000_000, T0 - 10 * 3_600_000],
    ]);
    expect(gasTank(s.control, s.user.id, T0)).toMatchObject({
      burnMicrodollarsPerHour: 300,
      balanceMicrodollars: 10_000_000 - 40_300,
    });
    // A late record for an hour already billed: the hour's new total goes out, and only the record is debited.
    s.now.t += 60_000;
    s.spend(7, T0 - 3 * 3_600_000);
    s.town.tick();
    expect(s.town.outbox().map((e) => [e.amountMicrodollars, e.at])).toEqual([[40_007, T0 - 2 * 3_600_000 - 1]]);
    settleTown(s.control, s.town, s.townId);
    expect(s.control.ledger.entries(s.user.id, 1).entries[0]).toMatchObject({
      amountMicrodollars: -7,
      at: T0 - 2 * 3_600_000 - 1,
    });
  });

  it('appends a bounded number of ledger rows however many past hours a settle debits, and debits each once', () => {
    const s = setup();
    // 1 µ$ in each of 3,000 past hours (one ingest token can send that every minute), and in the last few hours.
    const HOUR = 3_600_000;
    const hours = 3000;
    s.town.ingestUsage(
      Array.from({ length: hours }, (_, i) => usageRecord({ id: `old${i}`, at: T0 - (i + 1) * HOUR, costMicrodollars: 1 })),
    );
    s.spend(500);
    s.town.tick();
    const entries = s.town.outbox();
    expect(entries.length).toBeGreaterThan(hours);
    expect(postOutbox(s.control, s.townId, entries).debits).toBeLessThanOrEqual(27);
    const rows = s.debitCount();
    expect(rows).toBeLessThanOrEqual(27);
    // Posted again (a settle retried after a crash): nothing.
    expect(postOutbox(s.control, s.townId, entries).debits).toBe(0);
    expect(s.debitCount()).toBe(rows);
    s.town.ackOutbox((entries.at(-1) as OutboxEntry).seq);
    expect(s.debited(s.user.id)).toBe(hours + 500);
    // The hours past every burn window share one row, out of the day's window (not today's burn).
    expect(gasTank(s.control, s.user.id, T0)).toMatchObject({ burn24hMicrodollarsPerHour: Math.round((24 + 500) / 24) });
    // A late record for an old hour debits only itself, in one more row.
    s.now.t += 60_000;
    s.town.ingestUsage([usageRecord({ id: 'late', at: T0 - 2000 * HOUR, costMicrodollars: 9 })]);
    s.town.tick();
    const count = s.debitCount();
    settleTown(s.control, s.town, s.townId);
    expect(s.debitCount()).toBe(count + 1);
    expect(s.debited(s.user.id)).toBe(hours + 500 + 9);
  });

  it('debits an hour at the edge of retention once, also posted again after a crash before the town let go of it', () => {
    const s = setup();
    const HOUR = 3_600_000;
    const debit = (seq: number, hour: number, total: number): OutboxEntry => ({
      seq,
      kind: 'debit',
      at: Math.min(hour + HOUR - 1, T0),
      amountMicrodollars: total,
      details: { hour },
    });
    const thisHour = Math.floor(T0 / HOUR) * HOUR;
    // Settled two hours late: its oldest hour is past the retention by then (its debit has no key: billed_hours alone guards it).
    const entries = [debit(1, thisHour - MAX_RETENTION_MS - HOUR, 1000), debit(2, thisHour - HOUR, 5), debit(3, thisHour, 7)];
    postOutbox(s.control, s.townId, entries);
    expect(s.debited(s.user.id)).toBe(1012);
    postOutbox(s.control, s.townId, entries);
    expect(s.debited(s.user.id)).toBe(1012);
  });

  it('judges which hours are old by the billable entries and the clock, not by one entry dated far ahead', () => {
    const s = setup();
    const HOUR = 3_600_000;
    const thisHour = Math.floor(T0 / HOUR) * HOUR;
    postOutbox(s.control, s.townId, [
      { seq: 1, kind: 'debit', at: T0 - 2 * HOUR, amountMicrodollars: 40, details: { hour: thisHour - 3 * HOUR } },
      { seq: 2, kind: 'debit', at: T0, amountMicrodollars: 9, details: { hour: thisHour } },
      // Refused (its total past the hour bound), dated a year ahead: it must not make the two above old.
      { seq: 3, kind: 'debit', at: T0 + 365 * 24 * HOUR, amountMicrodollars: -1, details: { hour: thisHour + 365 * 24 * HOUR } },
    ]);
    // Two entries at their own times (the last hours keep theirs), not one.
    expect(s.control.ledger.entries(s.user.id, 10).entries.map((e) => [e.amountMicrodollars, e.at])).toEqual([
      [-9, T0],
      [-40, T0 - 2 * HOUR],
    ]);
  });

  it('loses nothing when killed between the snapshot and the debit', () => {
    const s = setup();
    s.spend(5000);
    s.town.tick();
    s.restart(); // the snapshot is in the town's file; the ledger never heard of it
    expect(s.debitCount()).toBe(0);
    s.town.tick();
    settleTown(s.control, s.town, s.townId);
    expect(s.debited(s.user.id)).toBe(5000);
  });

  it('counts nothing twice when killed between the debit and the town forgetting it', () => {
    const s = setup();
    s.spend(5000);
    s.town.tick();
    const crashing: TownOutbox = {
      outbox: () => s.town.outbox(),
      ackOutbox: () => {
        throw new Error('killed');
      },
    };
    expect(() => settleTown(s.control, crashing, s.townId)).toThrow('killed');
    expect(s.debited(s.user.id)).toBe(5000);
    s.restart();
    expect(s.town.outbox()).toHaveLength(1); // still there: the ack never happened
    expect(settleTown(s.control, s.town, s.townId)).toEqual({ debits: 0, alerts: 0, accountId: s.user.id, refused: [] });
    expect(s.town.outbox()).toHaveLength(0);
    expect(s.debited(s.user.id)).toBe(5000);
  });

  it('debits exactly what was spent when the town file comes back from a backup that predates a debit', () => {
    const s = setup();
    s.spend(100);
    const backup = `${s.dir}/before-tick.sqlite`;
    s.townSql().run(`VACUUM INTO '${backup}'`);
    s.town.tick();
    settleTown(s.control, s.town, s.townId); // 100 debited
    s.restoreTown(backup); // the tick, its outbox seq and the ack are gone from the town; the ledger kept the debit
    s.now.t += 60_000;
    s.spend(5_000);
    s.town.tick(); // the same outbox seq again, now with the hour at 5,100
    settleTown(s.control, s.town, s.townId);
    expect(s.debited(s.user.id)).toBe(5_100);
  });

  it('refuses an hour total outside the bounds (a town file from before them) and bills the other hours on', () => {
    const env = setup();
    const outbox = { outbox: () => env.town.outbox(), ackOutbox: (seq: number) => env.town.ackOutbox(seq) };
    // What the attack of issue 9 left in a town: an hour holding 10,000 × 999,999,999,999 µ$.
    const hour = T0 - 3_600_000;
    env.spend(1, hour);
    env.townSql().run('UPDATE rollup_1h SET cost_microdollars = ? WHERE t = ?', 9_999_999_999_990_000, hour);
    env.spend(250);
    env.now.t += 60_000;
    env.town.tick();
    const settled = settleTown(env.control, outbox, env.townId);
    expect(settled.refused.map((e) => [e.details?.hour, e.amountMicrodollars])).toEqual([[hour, 9_999_999_999_990_000]]);
    expect(env.debited(env.user.id)).toBe(250);
    // Ticks go on: later spend is debited, the bad hour never.
    env.spend(5);
    env.now.t += 60_000;
    env.town.tick();
    expect(settleTown(env.control, outbox, env.townId).refused).toEqual([]);
    expect(env.debited(env.user.id)).toBe(255);
    expect(env.town.outbox()).toEqual([]);
  });

  it("debits an organisation's town from the organisation's account", () => {
    const s = setup('org');
    s.spend(777);
    s.town.tick();
    settleTown(s.control, s.town, s.townId);
    expect(s.debited(s.org.id)).toBe(777);
    expect(s.debited(s.user.id)).toBe(0);
  });

  it('any interleaving of spend, ticks, crashes and settles debits the total cost exactly once', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('spend' as const), cost: fc.integer({ min: 0, max: 10_000 }) }),
      fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 90_000 }) }),
      fc.constant({ kind: 'tick' as const }),
      fc.constant({ kind: 'settle' as const }),
      fc.constant({ kind: 'crash-before-ack' as const }),
      fc.constant({ kind: 'restart' as const }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const s = setup();
        let spent = 0;
        for (const st of steps) {
          if (st.kind === 'spend') {
            s.spend(st.cost);
            spent += st.cost;
          } else if (st.kind === 'wait') s.now.t += st.ms;
          else if (st.kind === 'tick') s.town.tick();
          else if (st.kind === 'settle') settleTown(s.control, s.town, s.townId);
          else if (st.kind === 'restart') s.restart();
          else {
            const town = s.town;
            try {
              settleTown(
                s.control,
                {
                  outbox: () => town.outbox(),
                  ackOutbox: () => {
                    throw new Error('killed');
                  },
                },
                s.townId,
              );
            } catch {}
            s.restart();
          }
        }
        // Drain: the next minute's tick closes the rest, a settle posts it.
        s.now.t += 60_000;
        s.town.tick();
        settleTown(s.control, s.town, s.townId);
        expect(s.debited(s.user.id)).toBe(spent);
      }),
      { numRuns: 40 },
    );
  });
});
