import type { Town, TownEvent, UsageRecord } from '@gasgauge/core';
import type { BenchServer } from './env.js';
import { progress } from './log.js';
import type { Row } from './report.js';
import { fmtMs, percentile } from './stats.js';

const RECORDS = 100_000;
const AGENTS = 40;
const BEADS = 2_000;
const DAYS = 3;
/** Records between two of an agent's bead switches. */
const PER_SWITCH = 20;
const CONCURRENT_LISTS = 8;

/**
 * A town of RECORDS usage records over DAYS days: AGENTS agents switching beads every PER_SWITCH
 * records (agent events arrive after the usage, as a replayed event log would), a fifth of the records
 * naming their bead, and a status event per bead; then ticked until the tick has caught up.
 */
function fill(town: Town, now: number): void {
  const span = DAYS * 86_400_000;
  const at = (i: number) => now - span + Math.floor((i * span) / RECORDS);
  const records: UsageRecord[] = Array.from({ length: RECORDS }, (_, i) => ({
    id: `msg-${i}`,
    agentId: `agent-${i % AGENTS}`,
    model: 'claude-sonnet-4-5',
    inputTokens: 1000 + (i % 97),
    outputTokens: 200,
    reasoningTokens: 0,
    cacheReadTokens: 5000,
    cacheWriteTokens: 0,
    costMicrodollars: 3000 + (i % 1013),
    at: at(i),
    mode: 'delta',
    ...(i % 5 === 0 ? { beadId: `bead-${(i * 7) % BEADS}` } : {}),
  }));
  for (let i = 0; i < records.length; i += 500) town.ingestUsage(records.slice(i, i + 500));
  const events: TownEvent[] = [];
  for (let i = 0; i < RECORDS; i += PER_SWITCH) {
    const a = (i / PER_SWITCH) % AGENTS;
    events.push({
      id: `ev-${i}`,
      at: at(i),
      type: 'agent',
      agentId: `agent-${a}`,
      status: 'working',
      beadId: `bead-${(i / PER_SWITCH) % BEADS}`,
    });
  }
  for (let b = 0; b < BEADS; b++) {
    events.push({
      id: `evb-${b}`,
      at: at((b * RECORDS) / BEADS),
      type: 'bead',
      beadId: `bead-${b}`,
      status: b % 3 ? 'closed' : 'in_progress',
    });
  }
  for (let i = 0; i < events.length; i += 500) town.ingestEvents(events.slice(i, i + 500));
  for (let i = 0; i < 10; i++) town.tick();
}

/** Median wall time of `fn`, or of the part it times itself when it returns a number. */
function median(fn: () => unknown, runs = 9): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const own = fn();
    times.push(typeof own === 'number' ? own : performance.now() - t0);
  }
  return percentile(times, 50);
}

/**
 * Bead reads on a 100k-record town, in process (a page of beads.list all time and over the last day,
 * beads.get of a bead, beads.stats), the tick of that town with 500 new records since the last, and
 * /healthz latency over HTTP while CONCURRENT_LISTS clients list beads in a loop.
 */
export async function benchBeads(server: BenchServer): Promise<Row[]> {
  const id = server.createTown('beads');
  const town = server.towns.get(id);
  const now = Date.now();
  progress(`beads: filling a town with ${RECORDS} records`);
  fill(town, now);
  const rows: Row[] = [];
  const row = (name: string, ms: number, detail = '') => rows.push({ name, value: fmtMs(ms), target: '—', pass: true, detail });
  row(
    'beads.list page of 50, all time, 100k records',
    median(() => town.beads({ limit: 50 })),
  );
  row(
    'beads.list page of 50, last 24 h',
    median(() => town.beads({ from: now - 86_400_000, to: now, limit: 50 })),
  );
  row(
    'beads.get of one bead',
    median(() => town.bead('bead-7')),
  );
  row(
    'beads.stats, all time',
    median(() => town.beadStats()),
  );
  let n = 0;
  row(
    'tick of the 100k-record town, 500 new records since the last',
    median(() => {
      town.ingestUsage(
        Array.from({ length: 500 }, (_, i) => ({
          id: `new-${n}-${i}`,
          agentId: `agent-${i % AGENTS}`,
          model: 'claude-sonnet-4-5',
          inputTokens: 10,
          outputTokens: 10,
          reasoningTokens: 0,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
          costMicrodollars: 10,
          at: Date.now() - 1000,
          mode: 'delta' as const,
        })),
      );
      n++;
      const t0 = performance.now();
      town.tick();
      return performance.now() - t0;
    }),
    'the tick alone (the records are ingested before it)',
  );

  for (const r of rows) progress(`beads: ${r.name}: ${r.value}`);
  progress(`beads: /healthz during ${CONCURRENT_LISTS} concurrent lists`);
  const auth = { authorization: `Bearer ${server.userToken}` };
  let stop = false;
  let lists = 0;
  let failed = 0;
  const lister = async () => {
    while (!stop) {
      try {
        const r = await fetch(`${server.url}/api/towns/${id}/beads?limit=50`, { headers: auth });
        await r.arrayBuffer();
        if (r.status === 200) lists++;
        else failed++;
      } catch {
        // A connection the server dropped (it did, before the totals, with lists queued behind each other).
        failed++;
      }
    }
  };
  const listers = Array.from({ length: CONCURRENT_LISTS }, lister);
  const health: number[] = [];
  const until = performance.now() + 10_000;
  while (performance.now() < until) {
    const t0 = performance.now();
    const r = await fetch(`${server.url}/healthz`);
    await r.arrayBuffer();
    health.push(performance.now() - t0);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  stop = true;
  await Promise.all(listers);
  rows.push({
    name: `/healthz during ${CONCURRENT_LISTS} concurrent beads.list, 10 s`,
    value: fmtMs(percentile(health, 50)),
    target: '—',
    pass: true,
    detail: `p50; p95 ${fmtMs(percentile(health, 95))}, max ${fmtMs(Math.max(...health))}; ${lists} lists answered, ${failed} failed`,
  });
  return rows;
}
