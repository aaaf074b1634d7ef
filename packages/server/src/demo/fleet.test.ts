import type { TownEvent } from '@gasgauge/core';
import { describe, expect, it } from 'vitest';
import { fileTown } from '../testing/temp.js';
import { DEMO_AGENTS } from './agents.js';
import { Fleet } from './fleet.js';
import { history } from './history.js';
import { Random } from './random.js';
import type { Batch } from './wire.js';

const T0 = Date.UTC(2026, 10, 25, 14);

function run(seconds: number): Batch[] {
  const fleet = new Fleet(new Random(7), 'test');
  return Array.from({ length: seconds }, (_, i) => fleet.step(T0 + i * 1000));
}

describe('the demo fleet', () => {
  const steps = run(30 * 60);
  const usage = steps.flatMap((b) => b.usage);
  const events = steps.flatMap((b) => b.events);

  it('announces every agent with its role first', () => {
    const first = (steps[0]?.events ?? []).slice(0, DEMO_AGENTS.length);
    expect(first.map((e) => (e.type === 'agent' ? `${e.agentId}:${e.role}` : e.type))).toEqual(
      DEMO_AGENTS.map((a) => `${a.id}:${a.role}`),
    );
  });

  it('streams usage as cumulative records: one id, growing totals, integer cost', () => {
    const byId = new Map<string, typeof usage>();
    for (const r of usage) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
    const streamed = [...byId.values()].filter((rs) => rs.length > 2);
    expect(streamed.length).toBeGreaterThan(50);
    for (const rs of streamed) {
      for (let i = 1; i < rs.length; i++) {
        expect((rs[i]?.outputTokens ?? 0) >= (rs[i - 1]?.outputTokens ?? 0)).toBe(true);
        expect((rs[i]?.costMicrodollars ?? 0) >= (rs[i - 1]?.costMicrodollars ?? 0)).toBe(true);
      }
    }
    expect(usage.every((r) => Number.isInteger(r.costMicrodollars) && r.mode === undefined)).toBe(true);
  });

  it('moves beads from open to closed, and a merged bead takes its lines to 0/0', () => {
    const beadStatuses = new Map<string, string[]>();
    for (const e of events) if (e.type === 'bead') beadStatuses.set(e.beadId, [...(beadStatuses.get(e.beadId) ?? []), e.status]);
    const closed = [...beadStatuses.values()].filter((s) => s.at(-1) === 'closed');
    expect(closed.length).toBeGreaterThan(3);
    for (const s of closed) expect(s).toEqual(['open', 'in_progress', 'in_review', 'closed']);
    const loc = steps.filter((b) => b.loc.length > 0);
    expect(loc.length).toBe(30 * 12); // every 5 s
    expect(loc.some((b) => b.loc.some((l) => l.additions > 0))).toBe(true);
    expect(loc.every((b) => b.loc.length === DEMO_AGENTS.length)).toBe(true);
  });

  it('is reproducible from its seed', () => {
    expect(JSON.stringify(run(120))).toBe(JSON.stringify(steps.slice(0, 120)));
  });
});

describe('demo history', () => {
  it('covers the past week with delta records (ids unique, never in the future), and beads per hour', () => {
    const now = T0 + 12_345;
    const h = history(new Random(1), now);
    expect(new Set(h.usage.map((r) => r.id)).size).toBe(h.usage.length);
    expect(h.usage.every((r) => r.mode === 'delta' && r.at < now && r.at >= now - 7 * 86_400_000 - 60_000)).toBe(true);
    expect(h.events.every((e) => e.at < now)).toBe(true);
    // Finer near now: 5 s records in the last hour.
    const lastHour = h.usage.filter((r) => r.at >= now - 3_600_000 && r.agentId === 'polecat-1');
    expect(lastHour.length).toBeGreaterThan(300);
    expect(h.events.filter((e) => e.type === 'bead' && e.status === 'closed').length).toBeGreaterThan(7 * 24);
  });

  it("puts the polecats' spend on their beads and the rest of the crew's on no bead", () => {
    const now = T0 + 12_345;
    const h = history(new Random(1), now, 2);
    const town = fileTown({ t: now });
    for (let i = 0; i < h.events.length; i += 5000) town.ingestEvents(h.events.slice(i, i + 5000) as TownEvent[]);
    for (let i = 0; i < h.usage.length; i += 5000)
      town.ingestUsage(h.usage.slice(i, i + 5000).map((r) => ({ ...r, mode: 'delta' as const })));
    const stats = town.beadStats({});
    const crew = new Set(DEMO_AGENTS.filter((a) => a.role !== 'polecat').map((a) => a.id));
    const crewCost = h.usage.filter((r) => crew.has(r.agentId)).reduce((sum, r) => sum + r.costMicrodollars, 0);
    // A polecat's bucket may run a little past the bead that it started in, so not exactly the crew's.
    expect(stats.noBeadCostMicrodollars).toBeGreaterThanOrEqual(crewCost);
    expect(stats.noBeadCostMicrodollars).toBeLessThan(crewCost + 0.1 * (stats.totalCostMicrodollars - crewCost));
  });
});

describe('the demo fleet in a town', () => {
  it('has one runaway agent that trips the spend-rate rule once, and beads whose costs spread', () => {
    const now = { t: T0 };
    const town = fileTown(now);
    const fleet = new Fleet(new Random(7), 'rw');
    for (let i = 0; i < 20 * 60; i++) {
      now.t = T0 + i * 1000;
      const batch = fleet.step(now.t);
      if (batch.events.length) town.ingestEvents(batch.events as TownEvent[]);
      if (batch.loc.length) town.ingestLoc(batch.loc);
      if (batch.usage.length)
        town.ingestUsage(batch.usage.map((r) => ({ ...r, mode: 'cumulative', reasoningTokens: r.reasoningTokens })));
      if (i % 10 === 0) town.tick();
    }
    expect(town.runawayEpisodes().map((e) => [e.rule, e.subject])).toEqual([['spendRate', 'polecat-5']]);
    const feed = town.events({ limit: 200 }).events.filter((e) => e.type === 'runaway');
    expect(feed.map((e) => e.agentId)).toEqual(['polecat-5']);
    const costs = town
      .beads({ limit: 200 })
      .items.map((b) => b.costMicrodollars)
      .filter((c) => c > 0);
    expect(costs.length).toBeGreaterThan(5);
    expect(Math.max(...costs)).toBeGreaterThan(5 * Math.min(...costs));
  });
});

describe('the demo fleet over a day', () => {
  // The runaway agent burns day and night (that is its story); the rest of the crew follows the day.
  const crew = new Set(DEMO_AGENTS.filter((a) => !a.runaway).map((a) => a.id));
  /** The crew's cost per hour over two hours from `start` (each message's last cumulative record). */
  const liveCostPerHour = (start: number): number => {
    const fleet = new Fleet(new Random(11), 'day');
    const last = new Map<string, number>();
    for (let i = 0; i < 2 * 3600; i++) {
      for (const r of fleet.step(start + i * 1000).usage) if (crew.has(r.agentId)) last.set(r.id, r.costMicrodollars);
    }
    return [...last.values()].reduce((a, b) => a + b, 0) / 2;
  };
  /** The crew's cost per hour in the history's last two hours before `now`. */
  const historyCostPerHour = (now: number): number => {
    const past = history(new Random(12), now).usage.filter((r) => r.at >= now - 2 * 3_600_000 && crew.has(r.agentId));
    return past.reduce((a, r) => a + r.costMicrodollars, 0) / 2;
  };

  it('burns less by night than by day, as its history does, so the charts do not jump at "now"', () => {
    const night = Date.UTC(2026, 10, 26, 1);
    const day = Date.UTC(2026, 10, 26, 13);
    const [liveNight, liveDay] = [liveCostPerHour(night), liveCostPerHour(day)];
    expect(liveNight).toBeLessThan(liveDay / 2.5);
    for (const [live, past] of [
      [liveNight, historyCostPerHour(night)],
      [liveDay, historyCostPerHour(day)],
    ] as const) {
      expect(live / past).toBeGreaterThan(0.5);
      expect(live / past).toBeLessThan(2);
    }
  });
});
