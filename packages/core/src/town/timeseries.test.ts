import { fileTown } from '@gasgauge/server/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AgentStatus, TownEvent } from './events.js';
import type { Timeseries } from './timeseries.js';
import type { Town } from './town.js';
import type { UsageRecord, UsageResult } from './usage.js';

/*
 * Property: Town.timeseries equals a brute-force recomputation, in plain JS, from the raw inputs the
 * test generated. The storage rules are restated here from the docs, not imported, so a change to
 * either side shows up as a disagreement:
 * - tiers: 5 s slots kept 7 d, 1 min and 10 min slots kept 30 d, 1 h slots kept 400 d;
 * - a counter (usage amounts, one `events` per event) lands, at ingest time c, in the slot of its event
 *   time in every tier whose slot start is >= c - retention; an all-zero usage record writes no row;
 * - a delta usage record counts once per id; a cumulative one holds a message's totals so far, and
 *   adds, per amount, only what exceeds the largest value of that amount seen for its id (an amount
 *   that shrank adds nothing and is not forgotten); a record that adds nothing is a duplicate when
 *   it equals what was counted and ignored when it only shrank;
 * - a tick at c writes one gauge sample into the slot of c in every tier, then deletes the rows of
 *   each tier older than p - retention (at most 500 per tier, far more than these runs make), where p,
 *   pruning's clock, is c at the town's first tick and then min(c, stored + 1 h), where stored is the last p
 *   that moved a minute or more past (or back from) the stored one;
 * - a query reads one tier: the coarsest whose slot divides the step (the step is chosen by
 *   `specResolution` below); a bucket with no stored row is null, a gauge with no sample is null.
 */

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 1, 12);
const WINDOW = 40 * DAY;
const LOC_TTL = 90 * SEC;
/** TIMESERIES_RUNS=2000 for a long local soak. */
const RUNS = Number(process.env.TIMESERIES_RUNS ?? 50);

const MODEL_TIERS = [
  { res: 5 * SEC, ret: 7 * DAY },
  { res: MIN, ret: 30 * DAY },
  { res: 10 * MIN, ret: 30 * DAY },
  { res: HOUR, ret: 400 * DAY },
] as const;
type ModelTier = (typeof MODEL_TIERS)[number];

const MODEL_STEPS = [
  ...[5, 10, 15, 30].map((s) => s * SEC),
  ...[1, 2, 5, 10, 15, 30].map((m) => m * MIN),
  ...[1, 2, 3, 6, 12].map((h) => h * HOUR),
  ...[1, 2, 7].map((d) => d * DAY),
];

const AMOUNT_FIELDS = [
  ['inputTokens', 'input_tokens'],
  ['outputTokens', 'output_tokens'],
  ['reasoningTokens', 'reasoning_tokens'],
  ['cacheReadTokens', 'cache_read_tokens'],
  ['cacheWriteTokens', 'cache_write_tokens'],
  ['costMicrodollars', 'cost_microdollars'],
] as const;
type Amounts = Record<(typeof AMOUNT_FIELDS)[number][0], number>;

const COUNTER_NAMES = ['events', 'beads_created', 'beads_closed', ...AMOUNT_FIELDS.map(([, c]) => c)] as const;
type CounterName = (typeof COUNTER_NAMES)[number];
const STATUSES = ['idle', 'working', 'waiting', 'stalled', 'dead'] as const satisfies readonly AgentStatus[];
const GAUGE_NAMES = [
  ...STATUSES.map((s) => `agents_${s}` as const),
  'agents_total',
  'beads_open',
  'beads_in_progress',
  'beads_in_review',
  'beads_blocked',
  'loc_additions',
  'loc_deletions',
] as const;
type GaugeName = (typeof GAUGE_NAMES)[number];

// ---- generated inputs -------------------------------------------------------------------------

interface UsageIn {
  id: string;
  at: number;
  amounts: Amounts;
  mode: 'delta' | 'cumulative';
}
interface AgentIn {
  id: string;
  at: number;
  agentId: string;
  status: AgentStatus;
}
interface LocIn {
  agentId: string;
  additions: number;
  deletions: number;
}
type Op =
  | { kind: 'tick'; c: number }
  | { kind: 'usage'; c: number; records: UsageIn[] }
  /** A re-sent earlier usage batch: adds only where a cumulative amount grew since. */
  | { kind: 'retry'; c: number; records: UsageIn[] }
  | { kind: 'events'; c: number; events: AgentIn[] }
  | { kind: 'loc'; c: number; reports: LocIn[] };

interface Query {
  from: number;
  to: number;
  maxPoints: number;
}

interface Scenario {
  now: number;
  ops: Op[];
  queries: Query[];
}

const UNITS = [5 * SEC, MIN, HOUR];
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** A time in [lo, now]: uniform, or near a focus point; often snapped onto a 5 s / 1 min / 1 h boundary or 1 ms before it. */
function timeArb(lo: number, now: number, focuses: number[]): fc.Arbitrary<number> {
  const near = (radius: number) =>
    fc.tuple(fc.constantFrom(...focuses), fc.integer({ min: -radius, max: radius })).map(([f, d]) => f + d);
  const base = fc.oneof(
    { arbitrary: fc.integer({ min: lo, max: now }), weight: 1 },
    { arbitrary: near(2 * HOUR), weight: 2 },
    { arbitrary: near(90 * SEC), weight: 4 },
    { arbitrary: near(3 * SEC), weight: 2 },
  );
  return fc.tuple(base, fc.constantFrom('none', 'on', 'before'), fc.constantFrom(...UNITS)).map(([t, snap, unit]) => {
    const snapped = snap === 'none' ? t : Math.floor(t / unit) * unit - (snap === 'before' ? 1 : 0);
    return clamp(snapped, lo, now);
  });
}

const zeroAmounts: Amounts = {
  inputTokens: 0,
  outputTokens: 0,
  reasoningTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  costMicrodollars: 0,
};
const amountsArb: fc.Arbitrary<Amounts> = fc.oneof(
  {
    arbitrary: fc.record({
      inputTokens: fc.nat(1_000_000),
      outputTokens: fc.nat(100_000),
      reasoningTokens: fc.nat(10_000),
      cacheReadTokens: fc.nat(1_000_000),
      cacheWriteTokens: fc.nat(100_000),
      costMicrodollars: fc.nat(10_000_000),
    }),
    weight: 6,
  },
  { arbitrary: fc.constant(zeroAmounts), weight: 1 },
);

/**
 * The totals so far of one of a few messages: each amount moves on its own, in coarse steps so that
 * re-sends often repeat, grow or shrink an amount, and one amount grows while another shrinks.
 */
const step = (unit: number) => fc.integer({ min: 0, max: 4 }).map((k) => k * unit);
const cumulativeAmountsArb: fc.Arbitrary<Amounts> = fc.record({
  inputTokens: step(1000),
  outputTokens: step(100),
  reasoningTokens: step(10),
  cacheReadTokens: step(5000),
  cacheWriteTokens: step(500),
  costMicrodollars: step(7),
});
const MESSAGES = 3;

/** How late a record arrives: none, a slot, or about one retention (±6 s) so it lands on the edge of a tier. */
const lagArb = fc
  .tuple(fc.constantFrom(0, 5 * SEC, MIN, HOUR, 7 * DAY, 30 * DAY), fc.integer({ min: -6 * SEC, max: 6 * SEC }))
  .map(([base, d]) => Math.max(0, base + d));

type When = { abs: number } | { lag: number };

/** Resolves record times against the batch clock: the clock is moved up to the latest absolute time, so at <= c. */
function resolveBatch<T extends { when: When }>(c: number, lo: number, items: T[]): { c: number; ats: number[] } {
  const clock = Math.max(c, ...items.flatMap((i) => ('abs' in i.when ? [i.when.abs] : [])));
  return { c: clock, ats: items.map((i) => ('abs' in i.when ? i.when.abs : Math.max(lo, clock - i.when.lag))) };
}

const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    now: fc.constantFrom(NOW, NOW + 2_501),
    extra: fc.array(fc.integer({ min: 0, max: WINDOW }), { maxLength: 2 }),
  })
  .chain(({ now, extra }) => {
    const lo = now - WINDOW;
    const time = timeArb(lo, now, [now, now - 7 * DAY, now - 30 * DAY, ...extra.map((e) => now - e)]);
    const when: fc.Arbitrary<When> = fc.oneof(
      time.map((abs) => ({ abs })),
      lagArb.map((lag) => ({ lag })),
    );

    type Draft =
      | { kind: 'ticks'; cs: number[] }
      | { kind: 'usage'; c: number; records: { when: When; amounts: Amounts; message: number | null }[] }
      | { kind: 'retry'; c: number; pick: number }
      | { kind: 'events'; c: number; events: { when: When; agentId: string; status: AgentStatus }[] }
      | { kind: 'loc'; c: number; reports: LocIn[] };

    // A burst of 1-4 ticks a few seconds apart, so some slots average several samples.
    const ticks: fc.Arbitrary<Draft> = fc
      .tuple(time, fc.array(fc.integer({ min: 0, max: 4 * SEC }), { maxLength: 3 }))
      .map(([c, gaps]) => {
        const cs = [c];
        for (const g of gaps) cs.push(Math.min(now, (cs.at(-1) as number) + g));
        return { kind: 'ticks', cs };
      });
    // Delta records, and cumulative ones (message: which of a few messages) mixed in the same batch.
    const usageRecordArb = fc.oneof(
      fc.record({ when, amounts: amountsArb, message: fc.constant(null) }),
      fc.record({ when, amounts: cumulativeAmountsArb, message: fc.nat(MESSAGES - 1) }),
    );
    const usage: fc.Arbitrary<Draft> = fc
      .record({ c: time, records: fc.array(usageRecordArb, { minLength: 1, maxLength: 4 }) })
      .map((d) => ({ kind: 'usage', ...d }));
    const retry: fc.Arbitrary<Draft> = fc.record({ c: time, pick: fc.nat(50) }).map((d) => ({ kind: 'retry', ...d }));
    const events: fc.Arbitrary<Draft> = fc
      .record({
        c: time,
        events: fc.array(
          fc.record({ when, agentId: fc.constantFrom('a0', 'a1', 'a2', 'a3'), status: fc.constantFrom(...STATUSES) }),
          { minLength: 1, maxLength: 4 },
        ),
      })
      .map((d) => ({ kind: 'events', ...d }));
    const loc: fc.Arbitrary<Draft> = fc
      .record({
        c: time,
        reports: fc.array(
          fc.record({ agentId: fc.constantFrom('a0', 'a1', 'a2'), additions: fc.nat(500), deletions: fc.nat(500) }),
          { minLength: 1, maxLength: 3 },
        ),
      })
      .map((d) => ({ kind: 'loc', ...d }));

    const ops = fc
      .array(
        fc.oneof(
          { arbitrary: ticks, weight: 4 },
          { arbitrary: usage, weight: 4 },
          { arbitrary: events, weight: 3 },
          { arbitrary: loc, weight: 3 },
          { arbitrary: retry, weight: 1 },
        ),
        { minLength: 4, maxLength: 30, size: 'max' },
      )
      .map((drafts) => {
        // Resolve each draft to concrete ops (ids, times <= clock), then put them in clock order.
        const resolved: (Op | { kind: 'pick'; c: number; pick: number })[] = [];
        drafts.forEach((d, i) => {
          if (d.kind === 'ticks') for (const c of d.cs) resolved.push({ kind: 'tick', c });
          else if (d.kind === 'usage') {
            const { c, ats } = resolveBatch(d.c, lo, d.records);
            const records = d.records.map(
              (r, j): UsageIn => ({
                id: r.message === null ? `u${i}.${j}` : `m${r.message}`,
                at: ats[j] as number,
                amounts: r.amounts,
                mode: r.message === null ? 'delta' : 'cumulative',
              }),
            );
            resolved.push({ kind: 'usage', c, records });
          } else if (d.kind === 'events') {
            const { c, ats } = resolveBatch(d.c, lo, d.events);
            const evs = d.events.map((e, j) => ({
              id: `e${i}.${j}`,
              at: ats[j] as number,
              agentId: e.agentId,
              status: e.status,
            }));
            resolved.push({ kind: 'events', c, events: evs });
          } else if (d.kind === 'loc') resolved.push({ kind: 'loc', c: d.c, reports: d.reports });
          else resolved.push({ kind: 'pick', c: d.c, pick: d.pick }); // the batch is picked after sorting
        });
        resolved.sort((a, b) => a.c - b.c);
        // A retry re-sends a usage batch that was sent before it; without one it is dropped.
        const out: Op[] = [];
        for (const op of resolved) {
          if (op.kind !== 'pick') {
            out.push(op);
            continue;
          }
          const earlier = out.filter((o): o is Extract<Op, { kind: 'usage' }> => o.kind === 'usage');
          const batch = earlier[op.pick % Math.max(1, earlier.length)];
          if (batch) out.push({ kind: 'retry', c: op.c, records: batch.records });
        }
        return out;
      });

    const span = fc.oneof(
      fc.integer({ min: 1, max: 10 * SEC }),
      fc.integer({ min: 1, max: 10 * MIN }),
      fc.integer({ min: 1, max: 2 * HOUR }),
      fc.integer({ min: 1, max: 3 * DAY }),
      fc.integer({ min: 1, max: WINDOW }),
    );
    const queries = fc.array(
      fc.record({ from: time, span, maxPoints: fc.integer({ min: 1, max: 600 }) }).map(({ from, span, maxPoints }) => {
        const f = Math.min(from, now - 1);
        return { from: f, to: Math.min(now, f + span), maxPoints };
      }),
      { minLength: 1, maxLength: 8 },
    );
    return fc.record({ now: fc.constant(now), ops, queries });
  });

// ---- the brute-force model --------------------------------------------------------------------

interface CounterHit {
  /** Event time of the record. */
  at: number;
  /** Clock when it was ingested. */
  c: number;
  values: Partial<Record<CounterName, number>>;
}
interface TickHit {
  c: number;
  /** Pruning's clock at this tick. */
  p: number;
  gauges: Record<GaugeName, number>;
}

type UsageTally = Pick<UsageResult, 'accepted' | 'duplicates' | 'ignored'>;

/**
 * Replays the ops in order: every counter contribution with its event time and ingest clock, every
 * tick with its gauges, the expected answer to every usage batch, and how often a cumulative record
 * grew one amount while another shrank (the generators must make that happen).
 */
function replay(ops: Op[]): { hits: CounterHit[]; ticks: TickHit[]; usage: UsageTally[]; mixedUpdates: number } {
  const hits: CounterHit[] = [];
  const ticks: TickHit[] = [];
  const usage: UsageTally[] = [];
  let mixedUpdates = 0;
  const deltaIds = new Set<string>();
  /** Per cumulative message: the largest value of each amount seen so far. */
  const counted = new Map<string, number[]>();
  const agents = new Map<string, { status: AgentStatus; statusAt: number; statusId: string }>();
  const loc = new Map<string, { additions: number; deletions: number; reportedAt: number }>();
  /** The newest usage of agent 'u' (every record's agent), which has no events. */
  let lastUsageAt = Number.NEGATIVE_INFINITY;
  /** Pruning's clock as the town stores it. */
  let storedP: number | undefined;
  for (const op of ops) {
    if (op.kind === 'usage' || op.kind === 'retry') {
      const tally: UsageTally = { accepted: 0, duplicates: 0, ignored: 0 };
      for (const r of op.records) {
        const amounts = AMOUNT_FIELDS.map(([f]) => r.amounts[f]);
        let increase: number[];
        if (r.mode === 'delta') {
          if (deltaIds.has(r.id)) {
            tally.duplicates++;
            continue;
          }
          deltaIds.add(r.id);
          increase = amounts;
        } else {
          const before = counted.get(r.id);
          increase = amounts.map((a, i) => Math.max(0, a - (before?.[i] ?? 0)));
          const shrank = before !== undefined && amounts.some((a, i) => a < (before[i] as number));
          if (before && !increase.some((d) => d > 0)) {
            tally[shrank ? 'ignored' : 'duplicates']++;
            continue;
          }
          if (shrank) mixedUpdates++;
          counted.set(
            r.id,
            amounts.map((a, i) => Math.max(a, before?.[i] ?? 0)),
          );
        }
        tally.accepted++;
        const values = Object.fromEntries(AMOUNT_FIELDS.map(([, c], i) => [c, increase[i] as number]));
        // A record that adds nothing writes no row.
        if (increase.some((v) => v !== 0)) {
          hits.push({ at: r.at, c: op.c, values });
          lastUsageAt = Math.max(lastUsageAt, r.at);
        }
      }
      usage.push(tally);
    } else if (op.kind === 'events') {
      for (const e of op.events) {
        hits.push({ at: e.at, c: op.c, values: { events: 1 } });
        const cur = agents.get(e.agentId);
        // The newest status by (event time, event id) wins, whatever order the events arrive in (events.ts).
        if (!cur || e.at > cur.statusAt || (e.at === cur.statusAt && e.id > cur.statusId))
          agents.set(e.agentId, { status: e.status, statusAt: e.at, statusId: e.id });
      }
    } else if (op.kind === 'loc') {
      for (const r of op.reports) loc.set(r.agentId, { additions: r.additions, deletions: r.deletions, reportedAt: op.c });
    } else if (op.kind === 'tick') {
      const gauges = {} as Record<GaugeName, number>;
      for (const g of GAUGE_NAMES) gauges[g] = 0;
      for (const { status } of agents.values()) gauges[`agents_${status}`]++;
      gauges.agents_total = agents.size;
      // Seen only through usage: working while it had usage in the last 5 one-minute slots (agentStatusCounts).
      if (Math.floor(lastUsageAt / MIN) * MIN >= Math.floor(op.c / MIN) * MIN - 4 * MIN) {
        gauges.agents_working++;
        gauges.agents_total++;
      }
      for (const r of loc.values()) {
        if (r.reportedAt + LOC_TTL > op.c) {
          gauges.loc_additions += r.additions;
          gauges.loc_deletions += r.deletions;
        }
      }
      const p = storedP === undefined ? op.c : Math.min(op.c, storedP + HOUR);
      if (storedP === undefined || p < storedP || p - storedP >= MIN) storedP = p;
      ticks.push({ c: op.c, p, gauges });
    }
  }
  return { hits, ticks, usage, mixedUpdates };
}

/**
 * The step the docs promise: the smallest of STEPS, then 14 d, 28 d, 56 d, ..., that is no finer
 * than the finest tier still keeping `from` and gives at most maxPoints aligned buckets.
 */
function specResolution(q: Query, now: number): { step: number; start: number; count: number } {
  // A tier serves `from` when it still keeps the slot holding it (slot start, not the raw time).
  const slot = (t: number, res: number) => Math.floor(t / res) * res;
  const finest = slot(q.from, 5 * SEC) >= now - 7 * DAY ? 5 * SEC : slot(q.from, MIN) >= now - 30 * DAY ? MIN : HOUR;
  const candidates = [...MODEL_STEPS];
  for (let d = 14; candidates.length < 64; d *= 2) candidates.push(d * DAY);
  for (const step of candidates) {
    if (step < finest) continue;
    const start = Math.floor(q.from / step) * step;
    const count = Math.ceil((q.to - start) / step);
    if (count <= q.maxPoints) return { step, start, count };
  }
  throw new Error('unreachable');
}

function readTier(step: number): ModelTier {
  return [...MODEL_TIERS].reverse().find((t) => step % t.res === 0) as ModelTier;
}

function expectedTimeseries(hist: { hits: CounterHit[]; ticks: TickHit[] }, step: number, start: number, count: number) {
  const tier = readTier(step);
  const slot = (x: number) => Math.floor(x / tier.res) * tier.res;
  // A row survives unless some tick ran when it was older than the retention.
  const survives = (s: number) => !hist.ticks.some((k) => s < k.p - tier.ret);
  // A counter landed in this tier if its slot was still kept when it was ingested.
  const landed = hist.hits.filter((h) => slot(h.at) >= h.c - tier.ret && survives(slot(h.at)));
  const sampled = hist.ticks.filter((k) => survives(slot(k.c)));

  const t: number[] = [];
  const series = {} as Timeseries['series'];
  for (const name of [...COUNTER_NAMES, ...GAUGE_NAMES, ...GAUGE_NAMES.map((g) => `${g}_max` as const)]) series[name] = [];
  const push = (name: keyof Timeseries['series'], v: number | null) => series[name].push(v);
  for (let i = 0; i < count; i++) {
    const b = start + i * step;
    t.push(b);
    const inBucket = (x: number) => x >= b && x < b + step;
    const hits = landed.filter((h) => inBucket(h.at));
    const ticks = sampled.filter((k) => inBucket(k.c));
    const hasRow = hits.length > 0 || ticks.length > 0;
    for (const c of COUNTER_NAMES) push(c, hasRow ? hits.reduce((a, h) => a + (h.values[c] ?? 0), 0) : null);
    for (const g of GAUGE_NAMES) {
      const samples = ticks.map((k) => k.gauges[g]);
      push(g, samples.length > 0 ? samples.reduce((a, v) => a + v, 0) / samples.length : null);
      push(`${g}_max`, samples.length > 0 ? Math.max(...samples) : null);
    }
  }
  return { step, t, series } satisfies Timeseries;
}

// ---- driving the real town --------------------------------------------------------------------

function usageRecord(r: UsageIn): UsageRecord {
  return { id: r.id, agentId: 'u', model: 'm', at: r.at, mode: r.mode, ...r.amounts };
}

function run(town: Town, now: { t: number }, ops: Op[], ticks: TickHit[], usage: UsageTally[]): void {
  let tickIndex = 0;
  let usageIndex = 0;
  for (const op of ops) {
    now.t = op.c;
    if (op.kind === 'tick') {
      const expected = ticks[tickIndex++] as TickHit;
      expect(town.tick().gauges).toEqual(expected.gauges);
    } else if (op.kind === 'usage' || op.kind === 'retry') {
      expect(town.ingestUsage(op.records.map(usageRecord))).toEqual({ ...usage[usageIndex++], tooOld: 0, skewed: 0 });
    } else if (op.kind === 'events') {
      const events: TownEvent[] = op.events.map((e) => ({ type: 'agent', ...e }));
      expect(town.ingestEvents(events)).toEqual({ accepted: events.length, duplicates: 0, ignored: 0, tooOld: 0, skewed: 0 });
    } else {
      town.ingestLoc(op.reports);
    }
  }
}

describe('Town.timeseries', () => {
  it(
    'equals a brute-force recomputation from the raw inputs',
    () => {
      const seen = { queries: 0, counterBuckets: 0, gaugeBuckets: 0, mixedUpdates: 0 };
      fc.assert(
        fc.property(scenarioArb, ({ now: end, ops, queries }) => {
          const now = { t: ops[0]?.c ?? end };
          const town = fileTown(now);
          try {
            const hist = replay(ops);
            seen.mixedUpdates += hist.mixedUpdates;
            run(town, now, ops, hist.ticks, hist.usage);
            now.t = end;
            for (const q of queries) {
              const spec = specResolution(q, end);
              const actual = town.timeseries(q);
              const { step } = actual;
              expect(step).toBe(spec.step);
              expect(actual.t.length).toBeLessThanOrEqual(q.maxPoints);
              expect(actual.t[0]).toBeLessThanOrEqual(q.from);
              expect((actual.t.at(-1) as number) + step).toBeGreaterThanOrEqual(q.to);
              actual.t.forEach((t, i) => {
                expect(t % step).toBe(0);
                if (i > 0) expect(t - (actual.t[i - 1] as number)).toBe(step);
              });
              expect(actual).toEqual(expectedTimeseries(hist, spec.step, spec.start, spec.count));
              seen.queries++;
              seen.counterBuckets += actual.series.input_tokens?.filter((v) => v !== null).length ?? 0;
              seen.gaugeBuckets += actual.series.agents_total?.filter((v) => v !== null).length ?? 0;
            }
          } finally {
            (town.sql as { close?: () => void }).close?.();
          }
        }),
        { numRuns: RUNS },
      );
      // The generators must produce data the queries actually see, or the property proves little.
      expect(seen.queries).toBeGreaterThan(RUNS / 2);
      expect(seen.counterBuckets).toBeGreaterThan(0);
      expect(seen.gaugeBuckets).toBeGreaterThan(0);
      expect(seen.mixedUpdates).toBeGreaterThan(0);
    },
    Math.max(30_000, RUNS * 50),
  );
});
