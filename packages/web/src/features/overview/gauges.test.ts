import { describe, expect, it } from 'vitest';
import type { Throughput } from '../../api/trpc.js';
import { gaugeModels, niceCeil, scaleMax } from './gauges.js';

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
  budget: null,
  budgetUsedFraction: null,
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
    expect(agents).toMatchObject({ value: 3, max: 8, display: '3', unit: 'of 8 working', tone: 'ok' });
    expect(beads).toMatchObject({ value: 0, tone: 'warn' });
    expect(tank).toMatchObject({ value: null, tone: 'unknown', valueText: 'balance unknown' });
  });

  it('turns red past the danger line and says "waiting" before the first push', () => {
    expect(gaugeModels({ ...base, costMicrodollarsPerHour: 150_000_000 })[1]).toMatchObject({ tone: 'danger', max: 200_000_000 });
    const before = gaugeModels(undefined);
    expect(before).toHaveLength(6);
    expect(before.every((m) => m.value === null)).toBe(true);
  });

  it('never makes up a gas tank balance', () => {
    const tank = gaugeModels(base)[5];
    expect(tank?.display).toBe('—');
    expect(tank?.unit).toBe('balance unknown');
  });
});
