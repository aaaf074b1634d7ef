import { describe, expect, it } from 'vitest';
import type { GasTank } from '../../api/billing.js';
import type { Throughput } from '../../api/trpc.js';
import { gaugeModels, niceCeil, scaleMax, tankModel } from './gauges.js';

const base: Throughput = {
  tokensPerSecond: 1234.5,
  costMicrodollarsPerHour: 30_000_000,
  beadsClosedPerHour: 0,
  locAdditions: 1500,
  locDeletions: 600,
  agentsActive: 3,
  agentsTotal: 8,
  dataAgeMs: 1000,
  windowMs: 300_000,
  beadsWindowMs: 3_600_000,
  budget: null,
  budgetUsedFraction: null,
  storage: { usedBytes: 300_000, quotaBytes: 10_737_418_240, full: false },
  asOf: 0,
};

describe('gauge scales', () => {
  it('grow in 1-2-5 steps so a gauge never pins', () => {
    expect([0, 1, 3, 20, 21, 499, 501, 72_000].map(niceCeil)).toEqual([1, 1, 5, 20, 50, 500, 1000, 100_000]);
    expect(scaleMax(5, 20)).toBe(20);
    expect(scaleMax(37, 20)).toBe(50);
  });
});

describe('gaugeModels', () => {
  it('names the six gauges exactly, with value, unit, scale and tone', () => {
    const g = gaugeModels(base);
    expect(g.map((m) => m.label)).toEqual([
      'Tokens per second',
      'Cost per hour',
      'Lines of code',
      'Active agents',
      'Beads closed per hour',
      'Gas tank',
    ]);
    const [tokens, cost, loc, agents, beads, tank] = g;
    expect(tokens).toMatchObject({ value: 1234.5, max: 10_000, display: '1.23k', unit: 'tokens/s', tone: 'neutral' });
    expect(cost).toMatchObject({ value: 30_000_000, max: 50_000_000, display: '$30.00', tone: 'warn', scale: ['$0', '$50'] });
    expect(loc).toMatchObject({ value: 2100, max: 5000, display: '+1.5k −600', tone: 'warn' });
    expect(agents).toMatchObject({
      value: 3,
      max: 8,
      display: '3',
      unit: 'of 8 working',
      detail: 'by events, or usage in 5 min',
      tone: 'ok',
    });
    expect(beads).toMatchObject({ value: 0, tone: 'warn' });
    expect(tank).toMatchObject({ value: null, tone: 'unknown', valueText: 'loading balance' });
  });

  it('turns red past the danger line and says "waiting" before the first push', () => {
    expect(gaugeModels({ ...base, costMicrodollarsPerHour: 150_000_000 })[1]).toMatchObject({ tone: 'danger', max: 200_000_000 });
    const before = gaugeModels(undefined);
    expect(before).toHaveLength(6);
    expect(before.every((m) => m.value === null)).toBe(true);
  });

  it('never makes up a gas tank balance', () => {
    for (const t of [base, undefined]) {
      const tank = gaugeModels(t)[5];
      expect(tank?.display).toBe('—');
      expect(tank?.value).toBeNull();
      expect(tank?.unit).toBe('loading balance');
    }
    expect(tankModel({ status: 'hidden' })).toMatchObject({
      value: null,
      display: '—',
      valueText: 'balance hidden',
      tone: 'unknown',
    });
    expect(tankModel({ status: 'error', error: new Error('boom') })).toMatchObject({
      value: null,
      valueText: 'balance unavailable',
    });
  });
});

const tank: GasTank = {
  accountId: 'user_1',
  balanceMicrodollars: 7_750_000,
  burnMicrodollarsPerHour: 2_250_000,
  burn24hMicrodollarsPerHour: 93_750,
  runwayBurnMicrodollarsPerHour: 2_250_000,
  secondsToEmpty: 12_400,
  lowBalance: false,
  lowBalanceThresholdMicrodollars: 5_000_000,
  asOf: 0,
};

describe('the gas tank gauge', () => {
  it('shows the owning account balance, its burn and when it runs dry, even before the first live push', () => {
    const model = gaugeModels(undefined, { status: 'ok', tank })[5];
    expect(model).toMatchObject({
      label: 'Gas tank',
      value: 7_750_000,
      min: 0,
      max: 20_000_000,
      scale: ['$0', '$20'],
      display: '$7.75',
      unit: 'left',
      detail: '$2.25/h · runs dry in 3 h 26 min',
      tone: 'ok',
      valueText: '$7.75 left, burning $2.25 per hour, runs dry in 3 h 26 min',
    });
    expect(model?.flag).toBeUndefined();
    expect(
      tankModel({
        status: 'ok',
        tank: { ...tank, burnMicrodollarsPerHour: 0, runwayBurnMicrodollarsPerHour: 0, secondsToEmpty: null },
      }).detail,
    ).toBe('not burning');
    // A rising burn: the gauge shows the burn its runway is at, and says it rises.
    expect(
      tankModel({ status: 'ok', tank: { ...tank, runwayBurnMicrodollarsPerHour: 6_000_000, secondsToEmpty: 4650 } }),
    ).toMatchObject({
      unit: 'left',
      detail: '$6.00/h · runs dry in 1 h 17 min · burn rising',
    });
  });

  it('says "low" under the account line and "empty" at or below zero, in words and colour', () => {
    const low = tankModel({ status: 'ok', tank: { ...tank, lowBalance: true, lowBalanceThresholdMicrodollars: 8_000_000 } });
    expect(low).toMatchObject({ tone: 'warn', flag: 'low', max: 50_000_000 });
    expect(low.valueText).toContain('low balance (below $8.00)');
    const overdrawn = tankModel({
      status: 'ok',
      tank: { ...tank, balanceMicrodollars: -225_000, lowBalance: true, secondsToEmpty: 0 },
    });
    expect(overdrawn).toMatchObject({ tone: 'danger', flag: 'empty', value: -225_000, min: -225_000, display: '−$0.225' });
    // The dial's left end is the balance, and its label says so (it said "$0").
    expect(overdrawn.scale[0]).not.toBe('$0');
    expect(overdrawn.scale[0]).toMatch(/^[−-]\$0\.2/);
  });

  it('raises no alarm for a new account: nothing granted, nothing burnt in 24 hours', () => {
    const idle = { balanceMicrodollars: 0, burnMicrodollarsPerHour: 0, burn24hMicrodollarsPerHour: 0 };
    const fresh = tankModel({
      status: 'ok',
      tank: { ...tank, ...idle, runwayBurnMicrodollarsPerHour: 0, secondsToEmpty: null, lowBalance: true },
    });
    expect(fresh).toMatchObject({ tone: 'neutral', flag: 'no credits', display: '$0', detail: 'no credits, nothing burning' });
    expect(fresh.valueText).toBe('$0 left, no credits, nothing burning');
    // Spent down to zero today: empty, in red.
    const spent = {
      ...tank,
      ...idle,
      burn24hMicrodollarsPerHour: 10_000,
      runwayBurnMicrodollarsPerHour: 0,
      secondsToEmpty: 0,
      lowBalance: true,
    };
    expect(tankModel({ status: 'ok', tank: spent })).toMatchObject({ tone: 'danger', flag: 'empty', detail: 'empty' });
  });

  it('grows its scale past a large balance instead of pinning', () => {
    expect(tankModel({ status: 'ok', tank: { ...tank, balanceMicrodollars: 730_000_000 } })).toMatchObject({
      max: 1_000_000_000,
      scale: ['$0', '$1k'],
    });
  });
});
