import { join } from 'node:path';
import { openSqlite } from '@gasgauge/server/sqlite';
import { tempDir } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { Control } from '../control/control.js';
import { burnFigures, gasTank } from './gas-tank.js';

const T0 = Date.UTC(2026, 10, 25, 12);
const MIN = 60_000;
const HOUR = 60 * MIN;

describe('burn figures (hand-computed)', () => {
  it('nothing burns: burn 0 and no time to empty', () => {
    expect(burnFigures(10_000_000, { tenMinutesDebited: 0, tenMinutesLargest: 0, tenMinutes: 0, hour: 0, day: 0 })).toEqual({
      burnMicrodollarsPerHour: 0,
      burn24hMicrodollarsPerHour: 0,
      runwayBurnMicrodollarsPerHour: 0,
      secondsToEmpty: null,
    });
  });

  it('a steady $2/h against $10 lasts 5 hours', () => {
    expect(
      burnFigures(10_000_000, {
        tenMinutesDebited: 10,
        tenMinutesLargest: 33_334,
        tenMinutes: 333_333,
        hour: 2_000_000,
        day: 48_000_000,
      }),
    ).toEqual({
      burnMicrodollarsPerHour: 2_000_000,
      burn24hMicrodollarsPerHour: 2_000_000,
      runwayBurnMicrodollarsPerHour: 2_000_000,
      secondsToEmpty: 5 * 3600,
    });
    // A steady burn's 10-minute window holds a debit more or less: the runway stays at the hour's burn.
    expect(
      burnFigures(10_000_000, {
        tenMinutesDebited: 11,
        tenMinutesLargest: 33_334,
        tenMinutes: 366_667,
        hour: 2_000_000,
        day: 48_000_000,
      }).secondsToEmpty,
    ).toBe(5 * 3600);
  });

  it("a burn rising by more than a quarter runs the tank dry at the last 10 minutes' rate", () => {
    // $2/h for the hour, but the last 10 minutes cost $0.10 each ($6/h): $10 lasts 1 h 40 min, not 5 h.
    expect(
      burnFigures(10_000_000, {
        tenMinutesDebited: 10,
        tenMinutesLargest: 100_000,
        tenMinutes: 1_000_000,
        hour: 2_000_000,
        day: 48_000_000,
      }),
    ).toEqual({
      burnMicrodollarsPerHour: 2_000_000,
      burn24hMicrodollarsPerHour: 2_000_000,
      runwayBurnMicrodollarsPerHour: 6_000_000,
      secondsToEmpty: 6000,
    });
    // Just past the edge (1.25 × $2/h = $2.50/h, i.e. 375,000 µ$ in the 9 minutes left without the largest), and at it.
    expect(
      burnFigures(10_000_000, { tenMinutesDebited: 10, tenMinutesLargest: 41_667, tenMinutes: 416_668, hour: 2_000_000, day: 0 })
        .runwayBurnMicrodollarsPerHour,
    ).toBe(2_500_007);
    expect(
      burnFigures(10_000_000, { tenMinutesDebited: 10, tenMinutesLargest: 41_667, tenMinutes: 416_667, hour: 2_000_000, day: 0 })
        .runwayBurnMicrodollarsPerHour,
    ).toBe(2_000_000);
  });

  it('one expensive message is not a rising burn: the last 10 minutes count once debited in 5 of them', () => {
    const figures = (minutes: number) =>
      burnFigures(10_000_000, {
        tenMinutesDebited: minutes,
        tenMinutesLargest: 100_000,
        tenMinutes: 1_000_000,
        hour: 2_000_000,
        day: 0,
      });
    expect(figures(1).runwayBurnMicrodollarsPerHour).toBe(2_000_000);
    expect(figures(4).runwayBurnMicrodollarsPerHour).toBe(2_000_000);
    expect(figures(5).runwayBurnMicrodollarsPerHour).toBe(6_000_000);
  });

  it('a catch-up (late spend debited in one minute) is not a rising burn', () => {
    // $3/h steadily, and $2 of the hour's earlier spend debited at once when its reporter came back: the
    // 10 minutes hold $2.50 ($15/h), but without their largest minute they burn $3.33/h, under 1.25 × the hour's $5/h.
    expect(
      burnFigures(10_000_000, {
        tenMinutesDebited: 10,
        tenMinutesLargest: 2_050_000,
        tenMinutes: 2_500_000,
        hour: 5_000_000,
        day: 0,
      }),
    ).toMatchObject({ burnMicrodollarsPerHour: 5_000_000, runwayBurnMicrodollarsPerHour: 5_000_000, secondsToEmpty: 2 * 3600 });
  });

  it('a burn that stopped over an hour ago leaves only the 24 h figure', () => {
    expect(
      burnFigures(10_000_000, { tenMinutesDebited: 0, tenMinutesLargest: 0, tenMinutes: 0, hour: 0, day: 3_000_000 }),
    ).toEqual({
      burnMicrodollarsPerHour: 0,
      burn24hMicrodollarsPerHour: 125_000,
      runwayBurnMicrodollarsPerHour: 0,
      secondsToEmpty: null,
    });
  });

  it('stays exact for balances whose seconds pass 2^53', () => {
    expect(
      burnFigures(9_000_000_000_000, { tenMinutesDebited: 1, tenMinutesLargest: 0, tenMinutes: 1, hour: 7, day: 7 })
        .secondsToEmpty,
    ).toBe(Number((9_000_000_000_000n * 3600n) / 7n));
  });

  it('an empty or overdrawn tank that still burns is empty now', () => {
    expect(burnFigures(0, { tenMinutesDebited: 0, tenMinutesLargest: 0, tenMinutes: 0, hour: 1, day: 1 }).secondsToEmpty).toBe(0);
    expect(
      burnFigures(-5, { tenMinutesDebited: 10, tenMinutesLargest: 10, tenMinutes: 100, hour: 1000, day: 1000 }).secondsToEmpty,
    ).toBe(0);
  });
});

describe('gas tank from the ledger', () => {
  function setup() {
    const now = { t: T0 };
    const control = new Control(openSqlite(join(tempDir('gg-tank-'), 'control.sqlite')), () => now.t);
    const user = control.createUser('user_1', 'ada');
    return { now, control, user };
  }

  it('burns over the rolling hour (now − 1 h, now] and the last 24 h, and stops when debits stop', () => {
    const { now, control, user } = setup();
    control.ledger.grant(user.id, 10_000_000, T0 - 2 * HOUR, 'top-up');
    // $0.05 a minute for the last hour: debits at T0 − 59 min … T0, and one exactly at T0 − 1 h (outside).
    for (let m = 60; m >= 0; m--) control.ledger.debit(user.id, `k${m}`, 50_000, T0 - m * MIN, 'town_1');
    const tank = gasTank(control, user.id, T0);
    expect(tank).toEqual({
      accountId: user.id,
      balanceMicrodollars: 10_000_000 - 61 * 50_000,
      burnMicrodollarsPerHour: 60 * 50_000,
      burn24hMicrodollarsPerHour: Math.round((61 * 50_000) / 24),
      runwayBurnMicrodollarsPerHour: 60 * 50_000,
      secondsToEmpty: Math.floor(((10_000_000 - 61 * 50_000) * 3600) / (60 * 50_000)),
      lowBalance: false,
      lowBalanceThresholdMicrodollars: 5_000_000,
      asOf: T0,
    });
    expect(tank.secondsToEmpty).toBe(8340); // $6.95 at $3.00/h: 2 h 19 min

    now.t = T0 + HOUR + MIN; // nothing debited for over an hour
    const later = gasTank(control, user.id, now.t);
    expect(later.burnMicrodollarsPerHour).toBe(0);
    expect(later.secondsToEmpty).toBeNull();
    expect(later.burn24hMicrodollarsPerHour).toBe(Math.round((61 * 50_000) / 24));
  });

  it("runs dry at the last 10 minutes' burn once it rose and was sustained, and counts debits minute by minute", () => {
    const { control, user } = setup();
    control.ledger.grant(user.id, 10_000_000, T0 - 2 * HOUR, 'top-up');
    // $0.01 a minute for 50 minutes, then $0.10 a minute for the last 10 ($6/h): the hour's burn is $1.50/h.
    for (let m = 59; m >= 10; m--) control.ledger.debit(user.id, `slow${m}`, 10_000, T0 - m * MIN, 'town_1');
    for (let m = 9; m >= 0; m--) control.ledger.debit(user.id, `fast${m}`, 100_000, T0 - m * MIN, 'town_1');
    expect(control.ledger.debitMinutes(user.id, T0 - 10 * MIN, T0)).toEqual({ minutes: 10, largest: 100_000 });
    const tank = gasTank(control, user.id, T0);
    expect(tank.burnMicrodollarsPerHour).toBe(1_500_000);
    expect(tank.runwayBurnMicrodollarsPerHour).toBe(6_000_000);
    expect(tank.secondsToEmpty).toBe(Math.floor(((10_000_000 - 1_500_000) * 3600) / 6_000_000));
  });

  it("keeps the hour's runway when the last 10 minutes hold a catch-up (the demo's history, a reporter back from an outage)", () => {
    const { control, user } = setup();
    control.ledger.grant(user.id, 100_000_000, T0 - 2 * HOUR, 'top-up');
    // The hour's first 50 minutes of spend ($2.50) debited at once 10 minutes ago, then $0.05 a minute: $3/h.
    control.ledger.debit(user.id, 'catch-up', 2_500_000, T0 - 10 * MIN + 1000, 'town_1');
    for (let m = 9; m >= 0; m--) control.ledger.debit(user.id, `m${m}`, 50_000, T0 - m * MIN, 'town_1');
    expect(control.ledger.debitMinutes(user.id, T0 - 10 * MIN, T0)).toEqual({ minutes: 11, largest: 2_500_000 });
    const tank = gasTank(control, user.id, T0);
    expect(tank.burnMicrodollarsPerHour).toBe(3_000_000);
    expect(tank.runwayBurnMicrodollarsPerHour).toBe(3_000_000);
  });

  it("counts an hour debited after it ended (a catch-up dated at the hour's last millisecond) by its share of the rolling hour and day", () => {
    const { control, user } = setup();
    control.ledger.grant(user.id, 100_000_000, T0 - 3 * HOUR, 'top-up');
    // Now is 20 minutes into an hour. The previous hour's $3 reached the ledger only after it ended (a reporter back
    // from an outage): a town dates it at that hour's last millisecond. This hour: $0.05 a minute so far ($1).
    const hourStart = Math.floor(T0 / HOUR) * HOUR;
    const now = hourStart + 20 * MIN;
    control.ledger.debit(user.id, 'last-hour', 3_000_000, hourStart - 1, 'town_1');
    for (let m = 19; m >= 0; m--) control.ledger.debit(user.id, `m${m}`, 50_000, now - m * MIN, 'town_1');
    const tank = gasTank(control, user.id, now);
    // The rolling hour (now − 1 h, now] holds the last 40 minutes of the previous hour: $2 of its $3, and this hour's $1.
    expect(tank.burnMicrodollarsPerHour).toBe(3_000_000);
    expect(tank.runwayBurnMicrodollarsPerHour).toBe(3_000_000);
    expect(tank.burn24hMicrodollarsPerHour).toBe(Math.round(4_000_000 / 24));
    // Before the fix the rolling hour held all $3 of the previous hour: $4/h, a third more than was burning.
    // An hour later nothing is in the rolling hour, and the day still holds all of both hours.
    const later = gasTank(control, user.id, now + HOUR);
    expect(later.burnMicrodollarsPerHour).toBe(0);
    expect(later.burn24hMicrodollarsPerHour).toBe(Math.round(4_000_000 / 24));
  });

  it('is low below the account threshold', () => {
    const { control, user } = setup();
    control.ledger.grant(user.id, 4_999_999, T0);
    expect(gasTank(control, user.id, T0).lowBalance).toBe(true);
    control.alerts.configure(user.id, { lowBalanceMicrodollars: 1_000_000 });
    expect(gasTank(control, user.id, T0)).toMatchObject({ lowBalance: false, lowBalanceThresholdMicrodollars: 1_000_000 });
  });
});
