import { usageRecord } from '@gasgauge/server/testing';
import { LiveStream } from '@gasgauge/server/testing/live-stream';
import { startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LIVE_PER_USER } from './live-hub.js';

/*
 * Every live stream of a town re-read the town on each push: one user's 20 streams of a town whose agents' window
 * was full (4 ms a read), woken by its own ingest every 50 ms, took a third of the server's one core. The streams
 * that one change wakes now share one read (each still checks its own user's access first).
 */
let s: TestServer;
const streams: LiveStream[] = [];
beforeAll(async () => {
  s = await startTestServer({ autoTick: false });
});
afterAll(async () => {
  await Promise.all(streams.map((l) => l.close()));
  await s?.close();
});

describe('live streams of one town', () => {
  it('share one read of the town per change, however many are open', async () => {
    // The server's own Town (one town: never evicted), its throughput counted.
    const town = s.openTown(s.townId);
    const throughput = town.throughput.bind(town);
    let reads = 0;
    town.throughput = () => {
      reads++;
      return throughput();
    };
    for (let i = 0; i < MAX_LIVE_PER_USER; i++) streams.push(new LiveStream(s.url, s.townId, s.adminToken));
    await Promise.all(streams.map((l) => l.waitFor((e) => e.event === 'message')));
    reads = 0;
    const at = Date.now();
    expect(
      (await s.post(`/api/towns/${s.townId}/usage`, { records: [usageRecord({ id: 'r1', inputTokens: 7, at })] })).status,
    ).toBe(200);
    // Each stream gets the change...
    await Promise.all(streams.map((l) => l.waitFor((e) => e.event === 'message' && e.data.tokensPerSecond > 0)));
    // ...from one read (two at most, should the streams' reads straddle SHARED_READ_MS on a loaded machine), not 20.
    expect(reads).toBeGreaterThanOrEqual(1);
    expect(reads).toBeLessThanOrEqual(2);
  });
});
