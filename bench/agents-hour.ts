/**
 * metrics.agents on a town whose last hour holds ~500,000 agent × model × minute rows in breakdown_1m
 * (250,000 agents seen only through usage, two models each, one record per pair spread over the hour, ids in
 * no order of time: what
 * one ingest token posting a new pair per record leaves) beside 5,000 agents with events. The first page,
 * a page in the middle and the last page, timed against the one-statement scan of the hour it replaced
 * (listAgentsScan) in alternation on the same town, and checked equal to it.
 * `npx tsx bench/agents-hour.ts` (GG_AGENTS_HOUR_PAIRS sets the pairs, default 500,000).
 */
import type { AgentsQuery, TownEvent, UsageRecord } from '@gasgauge/core';
import { listAgentsScan } from '@gasgauge/core/testing/agents-scan';
import { fileTown, usageRecord } from '@gasgauge/server/testing';
import { alternatedMeanMs, fmtInt } from './stats.js';

const PAIRS = Number(process.env.GG_AGENTS_HOUR_PAIRS ?? 500_000);
const WITH_EVENTS = 5_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);
const now = { t: T0 };
const town = fileTown(now);
const started = performance.now();
const events: TownEvent[] = Array.from({ length: WITH_EVENTS }, (_, i) => ({
  id: `ev-${i}`,
  at: T0 - HOUR,
  type: 'agent',
  agentId: `agent-${String(i * 50).padStart(6, '0')}-e`,
  status: i % 3 === 0 ? 'working' : 'idle',
}));
town.ingestEvents(events);
for (let i = 0; i < PAIRS; i += 5_000) {
  const records: UsageRecord[] = Array.from({ length: Math.min(5_000, PAIRS - i) }, (_, k) => {
    const n = i + k;
    return usageRecord({
      id: `u${n}`,
      at: T0 + Math.floor((n / PAIRS) * HOUR),
      // Ids in no order of time, so every minute holds agents from the whole range of ids.
      agentId: `agent-${String((Math.floor(n / 2) * 7919) % (PAIRS / 2)).padStart(6, '0')}`,
      model: `model-${n % 2}`,
      inputTokens: (n * 104_729) % 50_021,
      costMicrodollars: (n * 7919) % 100_003,
    });
  });
  now.t = (records.at(-1) as UsageRecord).at + 1;
  town.ingestUsage(records);
}
now.t = T0 + HOUR - 1;
const [[rows]] = town.sql.rows('SELECT COUNT(*) FROM breakdown_1m WHERE t >= ?', T0) as [[number]];
console.log(`filled in ${((performance.now() - started) / 1000).toFixed(0)} s: ${fmtInt(rows)} breakdown_1m rows in the hour`);

const middle = `agent-${String(Math.floor(PAIRS / 4)).padStart(6, '0')}`;
const shapes: [string, AgentsQuery][] = [
  ['first page of 100', {}],
  ['first page of 500', { limit: 500 }],
  ['a page of 100 in the middle', { cursor: middle }],
  ['the last page', { cursor: 'agent-999999' }],
];
for (const [name, q] of shapes) {
  const scan = () => listAgentsScan(town.sql, now.t, q);
  const paged = () => town.agents(q);
  if (JSON.stringify(scan()) !== JSON.stringify(paged())) throw new Error(`${name}: the page differs from the reference`);
  const [scanMs, pagedMs] = alternatedMeanMs(scan, paged);
  console.log(
    `metrics.agents ${name}: scan of the hour ${scanMs.toFixed(1)} ms, a minute at a time ${pagedMs.toFixed(1)} ms (${(scanMs / pagedMs).toFixed(1)}×)`,
  );
}
