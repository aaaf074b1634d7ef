/**
 * The read budget's point, measured: user A loops a 30-day `metrics.breakdown` on a big town from 8
 * connections (asking again at once, 429 or not) while user B reads their own town's throughput every
 * 50 ms. Prints B's latency (p50, p99, max) with the budget at its defaults and off, and what A got.
 * The server is its own process (`gasgauge serve`), so the clients do not share its event loop.
 * Sizes: GG_FAIR_RECORDS usage records (default 300,000) over 30 days, 10,000 agents × 200 models;
 * GG_FAIR_SECONDS per run (default 20).
 * Run: npx tsx bench/read-fairness.ts
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { UsageRecord } from '@gasgauge/core';
import { spreadUsageRecord } from '@gasgauge/server/testing';
import { startTestServer, trpcPath } from '@gasgauge/server/testing/server';

const RECORDS = Number(process.env.GG_FAIR_RECORDS ?? 300_000);
const SECONDS = Number(process.env.GG_FAIR_SECONDS ?? 20);
const AGENTS = 10_000;
const MODELS = 200;
const GREEDY_CONNECTIONS = 8;
const DAY = 86_400_000;
const END = Date.now();
const T0 = END - 30 * DAY;
const TOWN = { from: T0, spanMs: 30 * DAY, total: RECORDS, agents: AGENTS, models: MODELS };
const BIN = 'packages/server/bin/gasgauge.mjs';

const dir = mkdtempSync(join(tmpdir(), 'gg-fair-'));
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));

// The town and the two users, through a server in this process (filled without HTTP), then closed.
const setup = await startTestServer({ dataDir: dir, autoTick: false });
const town = setup.openTown(setup.townId);
const filled = performance.now();
for (let i = 0; i < RECORDS; i += 5_000) {
  const records: UsageRecord[] = Array.from({ length: Math.min(5_000, RECORDS - i) }, (_, k) => spreadUsageRecord(i + k, TOWN));
  town.ingestUsage(records);
}
const bob = await setup.addUser('bob');
const created = await fetch(`${setup.url}/trpc/towns.create`, {
  method: 'POST',
  headers: { authorization: `Bearer ${bob.token}`, 'content-type': 'application/json' },
  body: JSON.stringify({ name: 'bob town' }),
});
const bobTown = ((await created.json()) as { result: { data: { id: string } } }).result.data.id;
const admin = setup.adminToken;
const greedyPath = trpcPath('metrics.breakdown', { townId: setup.townId, from: T0, to: END, by: 'agent', metric: 'cost' });
await setup.close();
console.log(`${RECORDS} records filled in ${((performance.now() - filled) / 1000).toFixed(0)} s`);

async function get(url: string, token: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - started };
}

const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;

async function run(label: string, flags: string[]): Promise<void> {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--data', dir, '--port', '0', '--tick-ms', '60000', '--json', '--access-log', 'off', ...flags],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  const { url } = JSON.parse(line) as { url: string };
  try {
    let cost = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++) cost = Math.min(cost, (await get(url + greedyPath, admin)).ms);
    let alone = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 10; i++)
      alone = Math.min(alone, (await get(`${url}/api/towns/${bobTown}/metrics/throughput`, bob.token)).ms);
    await new Promise((r) => setTimeout(r, 5_000)); // the warm-up's reads earned back
    let stop = false;
    const greedy = { answered: 0, refused: 0 };
    const loops = Array.from({ length: GREEDY_CONNECTIONS }, async () => {
      while (!stop) {
        const r = await get(url + greedyPath, admin);
        if (r.status === 200) greedy.answered++;
        else greedy.refused++;
      }
    });
    const latencies: number[] = [];
    /** Those that started once A's burst (2 s, at most 5 s of wall time) was surely spent. */
    const steady: number[] = [];
    let notOk = 0;
    const started = performance.now();
    while (performance.now() - started < SECONDS * 1000) {
      const after = performance.now() - started > 5_000;
      const r = await get(`${url}/api/towns/${bobTown}/metrics/throughput`, bob.token);
      if (r.status !== 200) notOk++;
      latencies.push(r.ms);
      if (after) steady.push(r.ms);
      await new Promise((res) => setTimeout(res, 50));
    }
    stop = true;
    await Promise.all(loops);
    const ms = (xs: number[], q: number) => (xs.length ? quantile(xs, q).toFixed(0) : '-');
    console.log(
      `${label}: one breakdown ${cost.toFixed(0)} ms, B alone ${alone.toFixed(1)} ms; B beside A: p50 ${ms(latencies, 0.5)} ms, ` +
        `p99 ${ms(latencies, 0.99)} ms over ${latencies.length} reads; after the first 5 s: p50 ${ms(steady, 0.5)} ms, p99 ${ms(steady, 0.99)} ms ` +
        `over ${steady.length}${notOk ? ` (${notOk} not 200)` : ''}; A: ${greedy.answered} answered, ${greedy.refused} refused`,
    );
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

await run('budget on (defaults: 500 ms/s, 2000 ms burst)', []);
await run('budget off (--read-budget-ms-per-s 0)', ['--read-budget-ms-per-s', '0']);
