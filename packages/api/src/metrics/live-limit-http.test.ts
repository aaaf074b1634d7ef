import { LiveStream } from '@gasgauge/server/testing/live-stream';
import { startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LIVE_PER_TOWN } from './live-hub.js';

/*
 * Every live stream re-reads its town on each push, so one user opening thousands of them (a script,
 * a tab left reloading) costs the server a core: a town has at most MAX_LIVE_PER_TOWN at once.
 */

let s: TestServer;
const streams: LiveStream[] = [];
beforeAll(async () => {
  s = await startTestServer({ tickMs: 60_000 });
});
afterAll(async () => {
  await Promise.all(streams.map((l) => l.close()));
  await s?.close();
});

async function open(): Promise<LiveStream> {
  const l = new LiveStream(s.url, s.townId, s.adminToken);
  streams.push(l);
  await Promise.race([l.waitFor((e) => e.event === 'message'), l.finished]);
  return l;
}

describe('metrics.live streams per town', () => {
  it(`takes ${MAX_LIVE_PER_TOWN} at once, refuses the next (TOO_MANY_REQUESTS naming townId), and counts a closed one out`, async () => {
    const first = await Promise.all(Array.from({ length: MAX_LIVE_PER_TOWN }, open));
    expect(first.every((l) => l.status === 200 && !l.ended)).toBe(true);

    // A subscription's refusal comes on the stream (as for a revoked credential): an error event, then the end.
    const over = new LiveStream(s.url, s.townId, s.adminToken);
    streams.push(over);
    expect(await over.endsWithin(5000)).toBe(true);
    expect(over.events.map((e) => [e.event, e.data?.data?.code, e.data?.data?.path, e.data?.data?.httpStatus])).toEqual([
      ['connected', undefined, undefined, undefined],
      ['serialized-error', 'TOO_MANY_REQUESTS', 'townId', 429],
    ]);

    // Closed streams (read or not) no longer count: as many open again.
    await Promise.all(first.map((l) => l.close()));
    const again = await Promise.all(Array.from({ length: MAX_LIVE_PER_TOWN }, open));
    expect(again.every((l) => l.status === 200 && !l.ended)).toBe(true);
    // The server still answers everything else.
    expect((await s.get(`/api/towns/${s.townId}/metrics/throughput`)).status).toBe(200);
  }, 60_000);
});

describe('metrics.live stream lifetime (LIVE_STREAM_MAX_MS, 2 s here)', () => {
  let short: TestServer;
  beforeAll(async () => {
    short = await startTestServer({ tickMs: 60_000, liveStreamMaxMs: 2000 });
  });
  afterAll(async () => {
    await short?.close();
  });

  it('ends each stream with a return event once its lifetime passes, and its place is free again', async () => {
    const opened = performance.now();
    const all = await Promise.all(
      Array.from({ length: MAX_LIVE_PER_TOWN }, async () => {
        const l = new LiveStream(short.url, short.townId, short.adminToken);
        streams.push(l);
        await l.waitFor((e) => e.event === 'message');
        return l;
      }),
    );
    expect(performance.now() - opened).toBeLessThan(2000);
    await Promise.all(all.map((l) => l.endsWithin(10_000)));
    const lasted = performance.now() - opened;
    expect(all.every((l) => l.ended && l.events.at(-1)?.event === 'return')).toBe(true);
    expect(lasted).toBeGreaterThanOrEqual(2000);
    expect(lasted).toBeLessThan(5000);
    // Their places are free: a new stream opens.
    const next = new LiveStream(short.url, short.townId, short.adminToken);
    streams.push(next);
    await next.waitFor((e) => e.event === 'message');
    expect(next.ended).toBe(false);
  }, 60_000);
});
