import type { UsageRecord } from '@gasgauge/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, trpcPath } from './testing/server.js';
import { sleep } from './testing/sockets.js';
import { spreadUsageRecord } from './testing/temp.js';

const DAY = 86_400_000;
const END = Date.now();
const T0 = END - 30 * DAY;
/** Enough usage that a 30-day breakdown takes tens of milliseconds: an expensive read, made cheaply. */
const RECORDS = 20_000;
const TOWN = { from: T0, spanMs: 30 * DAY, total: RECORDS, agents: 2_000, models: 200 };
const WAVES = 20;
/** Calls per tRPC batch (MAX_TRPC_BATCH): they reach their turn together, so all but the first wait. */
const PER_BATCH = 10;

/** CPU this process (server and test alike: the test only waits) spends over `ms`. */
async function cpuOver(ms: number): Promise<number> {
  const before = process.cpuUsage();
  await sleep(ms);
  const { user, system } = process.cpuUsage(before);
  return (user + system) / 1000;
}

describe('read turns: a read whose client went away never runs', () => {
  let s: TestServer;
  let url: string;
  let batchUrl: string;

  beforeAll(async () => {
    s = await startTestServer({ autoTick: false });
    const town = s.openTown(s.townId);
    for (let i = 0; i < RECORDS; i += 5_000) {
      const records: UsageRecord[] = Array.from({ length: 5_000 }, (_, k) => spreadUsageRecord(i + k, TOWN));
      town.ingestUsage(records);
    }
    const input = { townId: s.townId, from: T0, to: END, by: 'agent', metric: 'cost' };
    url = s.url + trpcPath('metrics.breakdown', input);
    const calls = Array.from({ length: PER_BATCH }, () => 'metrics.breakdown').join(',');
    const inputs = Object.fromEntries(Array.from({ length: PER_BATCH }, (_, i) => [i, input]));
    batchUrl = `${s.url}/trpc/${calls}?batch=1&input=${encodeURIComponent(JSON.stringify(inputs))}`;
  }, 120_000);
  afterAll(() => s?.close());

  it('sends expensive reads and drops them, wave after wave: nothing of them is left to run once the client stops', async () => {
    const started = performance.now();
    await fetch(url, { headers: { authorization: `Bearer ${s.adminToken}` } });
    const oneRead = performance.now() - started;
    let answered = 0;
    for (let wave = 0; wave < WAVES; wave++) {
      const gone = new AbortController();
      const sent = fetch(batchUrl, { headers: { authorization: `Bearer ${s.adminToken}` }, signal: gone.signal }).then(
        () => answered++,
        () => {},
      );
      // Long enough for the server to read the batch and queue its calls behind the first, which runs.
      await sleep(oneRead / 2);
      gone.abort();
      await sent;
    }
    // Queued and kept, the dropped calls would still run now, one after the other: ~WAVES × (PER_BATCH − 1)
    // reads of `oneRead` ms each. Dropped from the queue, the server is idle at once.
    const cpuMs = await cpuOver(1_500);
    console.log(
      `one read ${oneRead.toFixed(0)} ms; ${WAVES} batches of ${PER_BATCH} sent and dropped (${answered} answered first); then ${cpuMs.toFixed(0)} ms of CPU in 1.5 s`,
    );
    expect(cpuMs).toBeLessThan(500);
    // The server still answers, and the user's budget was not spent by reads that never ran.
    const after = await fetch(url, { headers: { authorization: `Bearer ${s.adminToken}` } });
    expect(after.status).toBe(200);
  }, 120_000);
});
