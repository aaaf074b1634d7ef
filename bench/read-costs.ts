/**
 * What each town read the API serves costs on one big but plausible town: 10,000 agents, 200 models,
 * 100,000 beads (one of them a parent of 2,000, with a long history), 1,000,000 usage records over
 * 30 days and 100,000 events, ticked. Each read is timed (mean of a few calls after a warm-up) and
 * printed as a table, with the tick itself. Then the control plane's reads for one user with 1,000 towns and
 * 100,000 ledger entries over the same 30 days. Sizes scale with GG_READ_SCALE (default 1).
 * Run: npx tsx bench/read-costs.ts
 */
import { join } from 'node:path';
import { beadBacklog, Control, gasTank, MAX_BEAD_READ_BACKLOG, type TownEvent, type UsageRecord } from '@gasgauge/core';
import { openSqlite } from '@gasgauge/server';
import { fileTown, spreadUsageRecord, tempDir } from '@gasgauge/server/testing';
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
const TOWN = { from: T0, spanMs: 30 * DAY, total: RECORDS, agents: AGENTS, models: MODELS };
const now = { t: T0 };
const town = fileTown(now);

// Usage in time order, the clock following it, so each batch is ingested as it would arrive.
const BATCH = 5_000;
const started = performance.now();
for (let i = 0; i < RECORDS; i += BATCH) {
  const records: UsageRecord[] = Array.from({ length: BATCH }, (_, k) => ({
    ...spreadUsageRecord(i + k, TOWN),
    beadId: `bead-${(i + k) % BEADS}`,
  }));
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
      events.push({
        id: `e${n}`,
        at,
        type: 'bead',
        beadId: n % 3 === 0 ? 'bead-0' : `bead-${n % BEADS}`,
        status: n % 5 === 0 ? 'closed' : 'open',
      });
  }
  town.ingestEvents(events);
  if (i % 100_000 === 0) town.tick();
}
now.t = END;
const tickMs = meanMs(() => town.tick(), 3);
// Bead reads are a 503 while the per-bead totals lag more than a tick's budget behind: tick until they have caught up.
while (beadBacklog(town.sql) > MAX_BEAD_READ_BACKLOG) town.tick();
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
const width = 52;
console.log(`| ${'read'.padEnd(width)} | mean ms |`);
console.log(`| ${'-'.repeat(width)} | ------: |`);
console.log(`| ${'tick (after the fill)'.padEnd(width)} | ${tickMs.toFixed(1).padStart(7)} |`);
for (const [name, f] of rows) console.log(`| ${name.padEnd(width)} | ${meanMs(f, 3).toFixed(1).padStart(7)} |`);

// The control plane: one user owning 1,000 towns, each debited hourly for 100 hours of the 30 days.
const TOWNS = 1_000;
const DEBITS_PER_TOWN = Math.round(100 * SCALE);
const control = new Control(openSqlite(join(tempDir('gg-read-control-'), 'control.sqlite')), () => now.t, {
  maxTownsPerOwner: TOWNS + 1,
});
const user = control.createUser('u-bench', 'bench');
const townIds = control.sql.transaction(() =>
  Array.from({ length: TOWNS }, (_, i) => control.createTown(`town_${i}`, `Town ${i}`, { userId: user.id }).id),
);
control.ledger.grant(user.id, 10 ** 12, T0);
control.sql.transaction(() => {
  for (let h = 0; h < DEBITS_PER_TOWN; h++)
    for (const id of townIds)
      control.ledger.debitHour(user.id, id, h, 1_000 + h, T0 + Math.floor((h / DEBITS_PER_TOWN) * 30 * DAY));
});
const firstLedger = control.ledger.entries(user.id, 200);
let before = firstLedger.nextCursor ?? undefined;
for (let p = 0; p < 100; p++) before = control.ledger.entries(user.id, 200, before).nextCursor ?? undefined;
const controlRows: [string, () => unknown][] = [
  ['towns.list first page of 50 (1,000 towns)', () => control.townsOf(user.id, { limit: 50 })],
  ['town ids of the account (overview, quota)', () => control.townIdsOfAccount(user.id)],
  ['billing.ledger first page of 50', () => control.ledger.entries(user.id, 50)],
  ['billing.ledger a page past 20,000 entries', () => control.ledger.entries(user.id, 50, before)],
  ['billing.balance (gas tank: last hour and 24 h burn)', () => gasTank(control, user.id, now.t)],
  ['billing.alerts first page of 50', () => control.alerts.list(user.id, 50)],
];
for (const [name, f] of controlRows) console.log(`| ${name.padEnd(width)} | ${meanMs(f, 3).toFixed(1).padStart(7)} |`);
