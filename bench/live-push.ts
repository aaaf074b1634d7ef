/**
 * What one live push costs on a town of 10,000 live agents (each with usage in the last minutes, half
 * with agent events, 8 models) when 200 subscribers watch it: after one ingest, every subscriber's
 * stream re-reads metrics.throughput. Prints the time of the first read after the write and of the
 * next 199, and each statement's share of the 200 reads; then the same town's other reads (the overview's
 * lists and breakdowns, the Prometheus scrape's totals, a tick). GG_LIVE_AGENTS, GG_LIVE_SUBSCRIBERS.
 * Run: npx tsx bench/live-push.ts
 */
import { join } from 'node:path';
import { MAX_TOTALS_SERIES, type Sql, type SqlValue, Town, type TownEvent, type UsageRecord } from '@gasgauge/core';
import { openSqlite } from '@gasgauge/server';
import { tempDir, usageRecord } from '@gasgauge/server/testing';
import { meanMs } from './stats.js';

const AGENTS = Number(process.env.GG_LIVE_AGENTS ?? 10_000);
const SUBSCRIBERS = Number(process.env.GG_LIVE_SUBSCRIBERS ?? 200);
const now = { t: Date.UTC(2026, 11, 4, 12) };
const raw = openSqlite(join(tempDir('gg-live-push-'), 'town.sqlite'));
const spent = new Map<string, { ms: number; calls: number }>();
let timing = false;
const timed =
  <A extends unknown[], R>(f: (statement: string, ...a: A) => R) =>
  (statement: string, ...a: A): R => {
    if (!timing) return f(statement, ...a);
    const t0 = performance.now();
    const r = f(statement, ...a);
    const key = statement.replace(/\s+/g, ' ').slice(0, 90);
    const s = spent.get(key) ?? { ms: 0, calls: 0 };
    s.ms += performance.now() - t0;
    s.calls++;
    spent.set(key, s);
    return r;
  };
const sql: Sql = {
  run: timed((st, ...p: SqlValue[]) => raw.run(st, ...p)),
  all: <T>(st: string, ...p: SqlValue[]) => timed((s: string, ...q: SqlValue[]) => raw.all<T>(s, ...q))(st, ...p),
  rows: timed((st, ...p: SqlValue[]) => raw.rows(st, ...p)),
  transaction: (fn) => raw.transaction(fn),
  sizeBytes: () => raw.sizeBytes(),
};
const town = new Town(sql, () => now.t);

// Three records per agent over the last four minutes, and an event for every second agent.
const start = now.t - 4 * 60_000;
for (let round = 0; round < 3; round++) {
  const records: UsageRecord[] = Array.from({ length: AGENTS }, (_, a) =>
    usageRecord({
      id: `u${round}-${a}`,
      at: start + round * 80_000 + (a % 60_000),
      agentId: `agent-${a}`,
      model: `model-${a % 8}`,
      inputTokens: 100 + a,
      outputTokens: 10,
      costMicrodollars: 50,
    }),
  );
  for (let i = 0; i < records.length; i += 5_000) town.ingestUsage(records.slice(i, i + 5_000));
}
const events: TownEvent[] = Array.from({ length: AGENTS / 2 }, (_, a) => ({
  id: `e${a}`,
  at: now.t - 1000,
  type: 'agent',
  agentId: `agent-${2 * a}`,
  status: a % 3 === 0 ? 'idle' : 'working',
}));
for (let i = 0; i < events.length; i += 5_000) town.ingestEvents(events.slice(i, i + 5_000));
town.tick();

const pushes: number[][] = [];
for (let p = 0; p < 5; p++) {
  now.t += 1000;
  town.ingestUsage([usageRecord({ id: `push-${p}`, at: now.t - 500, agentId: 'agent-1', model: 'model-1', inputTokens: 5 })]);
  timing = p > 0; // the first push warms the caches
  const reads: number[] = [];
  for (let s = 0; s < SUBSCRIBERS; s++) {
    const t0 = performance.now();
    town.throughput();
    reads.push(performance.now() - t0);
  }
  timing = false;
  pushes.push(reads);
}
const after = pushes.slice(1);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const first = mean(after.map((r) => r[0] as number));
const rest = mean(after.flatMap((r) => r.slice(1)));
const total = mean(after.map((r) => r.reduce((a, b) => a + b, 0)));
console.log(
  `${AGENTS} agents, ${SUBSCRIBERS} subscribers: a push's first throughput ${first.toFixed(2)} ms, each next ${rest.toFixed(3)} ms, all ${total.toFixed(1)} ms`,
);
for (const [st, s] of [...spent].sort((a, b) => b[1].ms - a[1].ms).slice(0, 8))
  console.log(
    `${(s.ms / after.length).toFixed(2).padStart(8)} ms/push ${String(s.calls / after.length).padStart(5)} calls  ${st}`,
  );

const hour = { from: now.t - 3_600_000, to: now.t };
const reads: [string, () => unknown][] = [
  ['metrics.agents first page (100)', () => town.agents({ limit: 100 })],
  ['metrics.agents largest page (500)', () => town.agents({ limit: 500 })],
  ['metrics.events newest 50', () => town.events({ limit: 50 })],
  ['metrics.breakdown 1 h by agent', () => town.breakdown({ ...hour, by: 'agent', metric: 'cost' })],
  ['metrics.breakdown 1 h by model', () => town.breakdown({ ...hour, by: 'model', metric: 'tokens' })],
  ['metrics.timeseries 1 h', () => town.timeseries(hour)],
  [`Prometheus totals (top ${MAX_TOTALS_SERIES})`, () => town.totals(MAX_TOTALS_SERIES)],
  [
    'tick (one new record)',
    () => {
      now.t += 1000;
      town.ingestUsage([usageRecord({ id: `tick-${now.t}`, at: now.t - 500, agentId: 'agent-2', inputTokens: 5 })]);
      town.tick();
    },
  ],
];
for (const [name, f] of reads) console.log(`${meanMs(f, 5).toFixed(2).padStart(8)} ms  ${name}`);
