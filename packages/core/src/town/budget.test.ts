import { fileTown, usageRecord } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { periodBounds } from './budget.js';
import type { Town } from './town.js';

const T0 = Date.UTC(2026, 10, 25, 12); // Wednesday 2026-11-25 12:00 UTC
const HOUR = 3_600_000;

describe('budget periods', () => {
  it('are the local day, the ISO week from Monday and the month', () => {
    expect(periodBounds('day', 'UTC', T0)).toEqual({ start: Date.UTC(2026, 10, 25), end: Date.UTC(2026, 10, 26) });
    expect(periodBounds('week', 'UTC', T0)).toEqual({ start: Date.UTC(2026, 10, 23), end: Date.UTC(2026, 10, 30) });
    expect(periodBounds('month', 'UTC', T0)).toEqual({ start: Date.UTC(2026, 10, 1), end: Date.UTC(2026, 11, 1) });
    expect(periodBounds('month', 'UTC', Date.UTC(2028, 1, 29, 23))).toEqual({
      start: Date.UTC(2028, 1, 1),
      end: Date.UTC(2028, 2, 1),
    });
  });

  it('follow the zone, across a DST change', () => {
    // New York: EDT (UTC−4) until 2 am on 1 November 2026, then EST (UTC−5).
    expect(periodBounds('month', 'America/New_York', T0)).toEqual({
      start: Date.UTC(2026, 10, 1, 4),
      end: Date.UTC(2026, 11, 1, 5),
    });
    // 02:00 UTC on the 25th is still the 24th in New York.
    expect(periodBounds('day', 'America/New_York', Date.UTC(2026, 10, 25, 2))).toEqual({
      start: Date.UTC(2026, 10, 24, 5),
      end: Date.UTC(2026, 10, 25, 5),
    });
  });
});

describe('budget periods where a DST change skips midnight', () => {
  it('start the day when the clocks jump (Santiago, Havana)', () => {
    // America/Santiago, 2026-09-06: 00:00 −04 jumps to 01:00 −03 at 04:00Z.
    const saturdayNight = Date.parse('2026-09-06T03:30:00Z'); // Saturday 23:30 local
    expect(periodBounds('day', 'America/Santiago', saturdayNight)).toEqual({
      start: Date.parse('2026-09-05T04:00:00Z'),
      end: Date.parse('2026-09-06T04:00:00Z'),
    });
    expect(periodBounds('day', 'America/Santiago', Date.parse('2026-09-06T04:00:00Z')).start).toBe(
      Date.parse('2026-09-06T04:00:00Z'),
    );
    expect(periodBounds('day', 'America/Havana', Date.parse('2026-03-08T04:30:00Z')).end).toBe(
      Date.parse('2026-03-08T05:00:00Z'),
    );
  });
});

describe('town budget', () => {
  function spend(town: Town, now: { t: number }, id: string, cost: number) {
    town.ingestUsage([usageRecord({ id, at: now.t, costMicrodollars: cost })]);
  }
  const budgetEvents = (town: Town) => town.events({ limit: 50 }).events.filter((e) => e.type === 'budget');

  it('records 80 % and 100 % once per period, never drops ingest, and starts again next period', () => {
    const now = { t: T0 };
    const town = fileTown(now);
    town.setBudget({ period: 'day', capMicrodollars: 1_000_000 });
    spend(town, now, 'a', 500_000);
    town.tick();
    expect(budgetEvents(town)).toHaveLength(0);
    expect(town.throughput().budgetUsedFraction).toBe(0.5);

    spend(town, now, 'b', 300_000); // 80 % exactly
    expect(town.throughput().budgetUsedFraction).toBe(0.8); // live, before the tick
    town.tick();
    town.tick();
    expect(budgetEvents(town).map((e) => e.status)).toEqual(['80%']);

    now.t += 10_000;
    spend(town, now, 'c', 700_000); // past the cap: still counted
    town.tick();
    expect(budgetEvents(town).map((e) => e.status)).toEqual(['100%', '80%']);
    expect(town.throughput()).toMatchObject({
      budgetUsedFraction: 1.5,
      budget: {
        period: 'day',
        tz: 'UTC',
        capMicrodollars: 1_000_000,
        spentMicrodollars: 1_500_000,
        periodStart: Date.UTC(2026, 10, 25),
      },
    });
    const ts = town.timeseries({ from: T0 - HOUR, to: T0 + HOUR, maxPoints: 10 });
    expect((ts.series.cost_microdollars ?? []).reduce<number>((a, v) => a + (v ?? 0), 0)).toBe(1_500_000);
    expect(
      town
        .outbox()
        .filter((e) => e.kind === 'budget')
        .map((e) => e.details?.threshold),
    ).toEqual([0.8, 1]);

    now.t = Date.UTC(2026, 10, 26, 0, 0, 5); // the next day
    expect(town.throughput().budgetUsedFraction).toBe(0);
    spend(town, now, 'd', 850_000);
    town.tick();
    expect(budgetEvents(town)[0]).toMatchObject({
      status: '80%',
      body: { type: 'budget', threshold: 0.8, periodStart: Date.UTC(2026, 10, 26), spentMicrodollars: 850_000 },
    });
    expect(budgetEvents(town)).toHaveLength(3);
  });

  it('counts what the period already spent when it is set, and a lower cap alerts on the next tick', () => {
    const now = { t: T0 };
    const town = fileTown(now);
    now.t = T0 - 3 * HOUR;
    spend(town, now, 'morning', 900_000);
    now.t = Date.UTC(2026, 10, 24, 12); // yesterday: not this period
    spend(town, now, 'yesterday', 5_000_000);
    now.t = T0;
    expect(town.setBudget({ period: 'day', capMicrodollars: 1_000_000 })).toMatchObject({
      spentMicrodollars: 900_000,
      usedFraction: 0.9,
    });
    town.tick();
    expect(budgetEvents(town).map((e) => e.status)).toEqual(['80%']);
    town.setBudget(null);
    expect(town.throughput()).toMatchObject({ budget: null, budgetUsedFraction: null });
  });

  it('announces a threshold again only when a new cap uncrossed it and spend crossed it again', () => {
    const now = { t: T0 };
    const town = fileTown(now);
    town.setBudget({ period: 'day', capMicrodollars: 1_000_000 });
    spend(town, now, 'a', 850_000);
    town.tick();
    expect(budgetEvents(town)).toHaveLength(1);
    town.setBudget({ period: 'day', capMicrodollars: 1_000_000 }); // saved again: nothing new
    town.tick();
    expect(budgetEvents(town)).toHaveLength(1);
    town.setBudget({ period: 'day', capMicrodollars: 800_000 }); // lowered: 106 % crosses 100 %, 80 % stays announced
    town.tick();
    expect(budgetEvents(town).map((e) => e.status)).toEqual(['100%', '80%']);
    town.setBudget({ period: 'day', capMicrodollars: 2_000_000 }); // raised: 42 %, both re-armed
    town.tick();
    expect(budgetEvents(town)).toHaveLength(2);
    spend(town, now, 'b', 800_000); // 82 % of the raised cap
    town.tick();
    expect(budgetEvents(town).map((e) => e.status)).toEqual(['80%', '100%', '80%']);
  });

  it('refuses a cap that is not a positive whole number, or an unknown zone', () => {
    const town = fileTown({ t: T0 });
    const path = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return err instanceof AppError ? err.path : 'not an AppError';
      }
      return 'no error';
    };
    expect(path(() => town.setBudget({ period: 'day', capMicrodollars: 0 }))).toBe('capMicrodollars');
    expect(path(() => town.setBudget({ period: 'day', capMicrodollars: 1.5 }))).toBe('capMicrodollars');
    expect(path(() => town.setBudget({ period: 'day', capMicrodollars: 1, tz: 'Mars/Olympus' }))).toBe('tz');
    expect(town.throughput().budget).toBeNull();
  });
});
