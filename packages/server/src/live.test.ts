import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveStream } from './testing/live-stream.js';
import { startTestServer, type TestServer } from './testing/server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function usage(id: string, inputTokens: number, outputTokens: number, costMicrodollars: number) {
  return {
    records: [{ id, agentId: 'a1', model: 'm', mode: 'delta', inputTokens, outputTokens, costMicrodollars, at: Date.now() }],
  };
}

describe('metrics.live over SSE, ingest-driven (ticks a minute apart)', () => {
  let s: TestServer;
  const streams: LiveStream[] = [];
  beforeAll(async () => {
    // A 60 s tick cannot explain a push within a second: this checks the ingest → publish path.
    s = await startTestServer({ tickMs: 60_000 });
  });
  afterAll(async () => {
    await Promise.all(streams.map((l) => l.close()));
    await s?.close();
  });
  const open = (townId: string, token: string | null) => {
    const l = new LiveStream(s.url, townId, token);
    streams.push(l);
    return l;
  };

  it('sends the current throughput first, then a message reflecting an ingest within 1 s', async () => {
    const live = open(s.townId, s.adminToken);
    const first = await live.waitFor((e) => e.event === 'message');
    expect(live.status).toBe(200);
    expect(live.contentType).toMatch(/^text\/event-stream/);
    expect(first.data).toMatchObject({ tokensPerSecond: 0, costMicrodollarsPerHour: 0, dataAgeMs: null, windowMs: 300_000 });

    const before = live.events.length;
    const sent = performance.now();
    const r = await s.post(`/api/towns/${s.townId}/usage`, usage('d1', 1000, 200, 3000));
    const acked = performance.now();
    expect(r.status).toBe(200);
    const msg = await live.waitFor((e) => e.event === 'message' && e.data.tokensPerSecond > 0, { from: before });
    const latency = msg.at - acked;
    console.log(`live: ingest round trip ${(acked - sent).toFixed(0)} ms, push ${latency.toFixed(0)} ms after the ack`);
    expect(latency).toBeLessThan(1000);
    expect(msg.data.tokensPerSecond).toBeCloseTo(1200 / 300, 9);
    expect(msg.data.costMicrodollarsPerHour).toBe(3000 * 12);
    expect(msg.data.dataAgeMs).toBeGreaterThanOrEqual(0);
    expect(msg.data.dataAgeMs).toBeLessThan(1000);
  });

  it('coalesces a burst of ingests into fewer pushes, the last reflecting all of them', async () => {
    const live = open(s.townId, s.adminToken);
    await live.waitFor((e) => e.event === 'message');
    const from = live.events.length;
    const posts = 8;
    for (let i = 0; i < posts; i++)
      expect((await s.post(`/api/towns/${s.townId}/usage`, usage(`burst${i}`, 300, 0, 0))).status).toBe(200);
    const expected = (1200 + posts * 300) / 300;
    await live.waitFor((e) => e.event === 'message' && Math.abs(e.data.tokensPerSecond - expected) < 1e-9, {
      from,
      timeoutMs: 2000,
    });
    await sleep(400);
    expect(live.messages.length - from).toBeLessThan(posts);
  });

  it('sends a serialized error and ends the stream for a credential or town it may not read', async () => {
    for (const [token, townId, code] of [
      [s.ingestToken, s.townId, 'UNAUTHORIZED'],
      [null, s.townId, 'UNAUTHORIZED'],
      [s.adminToken, 'town_nope', 'NOT_FOUND'],
    ] as const) {
      const live = open(townId, token);
      const err = await live.waitFor((e) => e.event === 'serialized-error');
      expect(err.data.data.code).toBe(code);
      await Promise.race([live.finished, sleep(5000)]);
      expect(live.ended).toBe(true);
      expect(live.messages).toEqual([]);
    }
  });
});

describe('metrics.live over SSE, with ticks every 200 ms', () => {
  let s: TestServer;
  let live: LiveStream | undefined;
  let closed = false;
  beforeAll(async () => {
    s = await startTestServer({ tickMs: 200 });
  });
  afterAll(async () => {
    await live?.close();
    if (!closed) await s?.close();
  });

  it('keeps sending throughput after every tick once the town is active', async () => {
    live = new LiveStream(s.url, s.townId, s.adminToken);
    await live.waitFor((e) => e.event === 'message');
    expect((await s.post(`/api/towns/${s.townId}/usage`, usage('t1', 600, 0, 100))).status).toBe(200);
    const reflecting = await live.waitFor((e) => e.event === 'message' && e.data.tokensPerSecond > 0, { timeoutMs: 1000 });

    // Ticks every 200 ms: four more messages come in about 0.8 s, later on a loaded machine.
    const after = () => live?.messages.filter((m) => m.at > reflecting.at) ?? [];
    await live.waitFor(() => after().length >= 4);
    const later = after();
    for (const [i, m] of later.entries()) {
      expect(m.data.tokensPerSecond).toBeCloseTo(600 / 300, 9);
      if (i > 0) expect(m.data.asOf).toBeGreaterThan(later[i - 1]?.data.asOf as number);
      expect(m.data.dataAgeMs).toBeGreaterThanOrEqual(0);
    }
    expect(s.logs.filter((l) => l.includes('failed'))).toEqual([]);

    // Aborting the fetch ends the subscription: the server then closes without waiting on it.
    await live.close();
    live = undefined;
    const t0 = performance.now();
    closed = true;
    await s.close();
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe('closing the server', () => {
  it('ends open live streams instead of waiting for them', async () => {
    const s = await startTestServer({ tickMs: 200 });
    const live = new LiveStream(s.url, s.townId, s.adminToken);
    await live.waitFor((e) => e.event === 'message');
    const t0 = performance.now();
    await s.close();
    expect(performance.now() - t0).toBeLessThan(1000);
    await live.finished;
    expect(live.events.at(-1)?.event).toBe('return'); // ended by the server, not cut off
    await live.close();
  });
});

describe('metrics.live and the gas tank', () => {
  let s: TestServer;
  let skew = 0;
  const streams: LiveStream[] = [];
  beforeAll(async () => {
    // No scheduler: every push comes from an ingest, a grant or the tick this test runs.
    s = await startTestServer({ clock: () => Date.now() + skew, autoTick: false });
  });
  afterAll(async () => {
    await Promise.all(streams.map((l) => l.close()));
    await s?.close();
  });

  it("pushes to every town of the account when a grant or another town's debit moves its balance", async () => {
    const other = await s.createTown('other town');
    const live = new LiveStream(s.url, other, s.adminToken);
    streams.push(live);
    await live.waitFor((e) => e.event === 'message');

    let from = live.events.length;
    const grant = await fetch(`${s.url}/trpc/billing.grant`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ userName: 'admin', amountMicrodollars: 1_000_000 }),
    });
    expect(grant.status).toBe(200);
    await live.waitFor((e) => e.event === 'message', { from });

    expect((await s.post(`/api/towns/${s.townId}/usage`, usage('spend', 10, 0, 5000))).status).toBe(200);
    from = live.events.length;
    skew += 60_000; // the next billing minute: the tick closes the cost into a debit
    await s.tickTown(s.townId);
    await live.waitFor((e) => e.event === 'message', { from });
  });
});

describe('metrics.live with one town open at a time', () => {
  it('keeps pushing after the host closed the watched town to open another', async () => {
    const s = await startTestServer({ tickMs: 60_000, maxOpenTowns: 1 });
    const live = new LiveStream(s.url, s.townId, s.adminToken);
    try {
      await live.waitFor((e) => e.event === 'message');
      const other = await s.createTown('other');
      expect((await s.post(`/api/towns/${other}/usage`, usage('o1', 5, 0, 0), await s.mint(other))).status).toBe(200);
      const from = live.events.length;
      expect((await s.post(`/api/towns/${s.townId}/usage`, usage('w1', 600, 0, 0))).status).toBe(200);
      const msg = await live.waitFor((e) => e.event !== 'message' || e.data.tokensPerSecond > 0, { from });
      expect(msg.event).toBe('message');
      expect(msg.data.tokensPerSecond).toBeCloseTo(600 / 300, 9);
    } finally {
      await live.close();
      await s.close();
    }
  });
});
