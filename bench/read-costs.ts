/**
 * What each town read the API serves costs on one big but plausible town: 10,000 agents, 200 models,
 * 100,000 beads (one of them a parent of 2,000, with a long history), 1,000,000 usage records over
 * 30 days and 100,000 events, ticked. Each read is timed (mean of a few calls after a warm-up) and
 * printed as a table, with the tick itself. Sizes scale with GG_READ_SCALE (default 1).
 * Run: npx tsx bench/read-costs.ts
 */
import type { TownEvent, UsageRecord } from '@gasgauge/core';
import { fileTown, usageRecord } from '@gasgauge/server/testing';
import { meanMs } from './stats.js';

const SCALE = Number(process.env.GG_READ_SCALE ?? 1);
const AGENTS = 10_000 * SCALE;
const MODELS = 200;
const BEADS = 100_000 * SCALE;
const RECORDS = 1_000_000 * SCALE;
const EVENTS = 100_000 * SCALE;
const CHILDREN = 2_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1);
const END = T0 + 30 * DAY;
const now = { t: T0 };
const town = fileTown(now);

// Usage in time order, the clock following it, so each batch is ingested as it would arrive.
const BATCH = 5_000;
const started = performance.now();
for (let i = 0; i < RECORDS; i += BATCH) {
  const records: UsageRecord[] = Array.from({ length: BATCH }, (_, k) => {
    const n = i + k;
    return usageRecord({
      id: `u${n}`,
      at: T0 + Math.floor((n / RECORDS) * 30 * DAY),
      agentId: `agent-${(n * 7) % AGENTS}`,
      model: `model-${(n * 13) % MODELS}`,
      beadId: `bead-${n % BEADS}`,
      inputTokens: (n * 104_729) % 50_021,
      outputTokens: (n * 7919) % 5_003,
      costMicrodollars: (n * 7919) % 100_003,
    });
  });
  now.t = (records.at(-1) as UsageRecord).at + 1;
  town.ingestUsage(records);
  // Events ride along in proportion: agent status changes, bead opens and closes, children of bead-0.
  const e0 = Math.floor((i / RECORDS) * EVENTS);
  const e1 = Math.floor(((i + BATCH) / RECORDS) * EVENTS);
  const events: TownEvent[] = [];
  for (let n = e0; n < e1; n++) {
    const at = now.t - 1;
    if (n % 2 === 0)
      events.push({ id: `e${n}`, at, type: 'agent', agentId: `agent-${n % AGENTS}`, status: n % 4 === 0 ? 'working' : 'idle' });
    else if (n < 2 * CHILDREN)
      events.push({ id: `e${n}`, at, type: 'bead', beadId: `bead-${n}`, status: 'open', parentId: 'bead-0' });
    else
      events.push({ id: `e${n}`, at, type: 'bead', beadId: n % 3 === 0 ? 'bead-0' : `bead-${n % BEADS}`, status: n % 5 === 0 ? 'closed' : 'open' });
  }
  town.ingestEvents(events);
  if (i % 100_000 === 0) town.tick();
}
now.t = END;
const tickMs = meanMs(() => town.tick(), 3);
console.log(`filled in ${((performance.now() - started) / 1000).toFixed(0)} s`);

const ranges: [string, { from: number; to: number }][] = [
  ['24 h', { from: END - DAY, to: END }],
  ['30 days', { from: T0, to: END }],
];
const rows: [string, () => unknown][] = [['tick (nothing new)', () => town.tick()]];
for (const [name, r] of ranges) {
  rows.push([`metrics.timeseries ${name}`, () => town.timeseries(r)]);
  for (const by of ['agent', 'model'] as const)
    for (const metric of ['cost', 'tokens'] as const)
      rows.push([`metrics.breakdown ${name} by ${by} (${metric})`, () => town.breakdown({ ...r, by, metric })]);
  rows.push([`beads.stats ${name}`, () => town.beadStats(r)]);
}
rows.push(
  ['metrics.throughput', () => town.throughput()],
  ['totals (live snapshot, prometheus)', () => town.totals()],
  ['agents.list first page', () => town.agents()],
  ['agents.list a page of 200', () => town.agents({ limit: 200, cursor: 'agent-5' })],
  ['events.feed first page', () => town.events()],
  ['beads.get bead-0 (2,000 children, long history)', () => town.bead('bead-0')],
  ['beads.get an ordinary bead', () => town.bead('bead-77')],
  ['beads.list first page', () => town.beads()],
  ['runaway rules and episodes', () => [town.runawayRules(), town.runawayEpisodes()]],
  ['outbox', () => town.outbox()],
);
const width = Math.max(...rows.map(([n]) => n.length));
console.log(`| ${'read'.padEnd(width)} | mean ms |`);
console.log(`| ${'-'.repeat(width)} | ------: |`);
console.log(`| ${'tick (after the fill)'.padEnd(width)} | ${tickMs.toFixed(1).padStart(7)} |`);
for (const [name, f] of rows) console.log(`| ${name.padEnd(width)} | ${meanMs(f, 3).toFixed(1).padStart(7)} |`);
