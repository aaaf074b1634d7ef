import { describe, expect, it } from 'vitest';
import { LiveStream } from '../../../server/src/testing/live-stream.js';
import { eventually, rec, sum } from '../testing/client.js';
import { HOSTS, useHost } from '../testing/hosts.js';

const MINUTE = 60_000;

/** The black-box contract of ingest and reads, run unchanged against every host. */
describe.each(HOSTS)('%s host: ingest and reads', (_name, start) => {
  const host = useHost(start);

  it('counts a delta record once per id and a cumulative record by its increase', async () => {
    const t = await host.c.town('exactly once');
    const at = Math.floor(Date.now() / MINUTE) * MINUTE - 10 * MINUTE;
    const d = rec({ id: 'd1', inputTokens: 10, at });
    expect((await host.c.usage(t.id, t.ingest, [d])).body).toMatchObject({ accepted: 1, duplicates: 0 });
    expect((await host.c.usage(t.id, t.ingest, [d])).body).toMatchObject({ accepted: 0, duplicates: 1 });
    const cum = (n: number) => rec({ id: 'c1', mode: 'cumulative', inputTokens: n, at });
    expect((await host.c.usage(t.id, t.ingest, [cum(100)])).body).toMatchObject({ accepted: 1 });
    expect((await host.c.usage(t.id, t.ingest, [cum(150)])).body).toMatchObject({ accepted: 1 });
    expect((await host.c.usage(t.id, t.ingest, [cum(150)])).body).toMatchObject({ accepted: 0, duplicates: 1 });
    expect((await host.c.usage(t.id, t.ingest, [cum(120)])).body).toMatchObject({ accepted: 0, ignored: 1 });
    const s = await host.c.series(t.id, at, at + MINUTE, 1);
    expect(s.series.input_tokens).toEqual([160]);
  });

  it("towns.list shows how the town's scheduled ticks have gone", async () => {
    const t = await host.c.town('tick health');
    const before = Date.now();
    await host.c.usage(t.id, t.ingest, [rec({ id: 'tick-me', inputTokens: 1 })]);
    const tick = await eventually(async () => {
      const r = await host.c.query('towns.list', {});
      const town = (r.body.result.data as { id: string; tick: { lastOkAt: number | null } | null }[]).find((x) => x.id === t.id);
      return town?.tick?.lastOkAt ? town.tick : undefined;
    }, 'a successful tick in towns.list');
    expect(tick.lastOkAt).toBeGreaterThanOrEqual(before);
    expect(tick).toMatchObject({ failures: 0, lastError: null, retryAt: null });
    // The same in Prometheus, for an operator's alert.
    const scrape = String((await host.c.get(`/api/towns/${t.id}/metrics/prometheus`)).body);
    expect(scrape).toMatch(/^gasgauge_tick_consecutive_failures 0$/m);
    expect(scrape).toMatch(/^gasgauge_tick_failures_total 0$/m);
    const lastOk = Number(/^gasgauge_tick_last_success_timestamp_seconds (\S+)$/m.exec(scrape)?.[1]);
    expect(lastOk).toBeGreaterThanOrEqual(Math.floor((tick.lastOkAt as number) / 1000));
  });

  it('refuses bad input with a 4xx naming the field, and stores nothing of that request', async () => {
    const t = await host.c.town('bad input');
    const at = Math.floor(Date.now() / MINUTE) * MINUTE - 10 * MINUTE;
    const bad = await host.c.usage(t.id, t.ingest, [
      rec({ id: 'ok', inputTokens: 5, at }),
      rec({ id: 'bad', inputTokens: -1, at }),
    ]);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'bad_request', path: 'records[1].inputTokens' });
    const notJson = await host.c.post(`/api/towns/${t.id}/usage`, '{"records": [', t.ingest);
    expect(notJson.status).toBe(400);
    const overBound = await host.c.usage(
      t.id,
      t.ingest,
      Array.from({ length: 11 }, (_, i) => rec({ id: `big${i}`, costMicrodollars: 10_000_000_000, at })),
    );
    expect(overBound.status).toBe(400);
    expect(overBound.body.error.path).toMatch(/^records\[\d+\]\.costMicrodollars$/);
    const s = await host.c.series(t.id, at, at + MINUTE, 1);
    expect(s.series.input_tokens).toEqual([null]);
    expect(s.series.cost_microdollars).toEqual([null]);
    expect((await host.c.usage(t.id, t.ingest, [rec({ id: 'ok', inputTokens: 5, at })])).body).toMatchObject({ accepted: 1 });
  });

  it("reads a REST write's body as JSON whatever its Content-Type; a query parameter given twice takes its first value", async () => {
    const t = await host.c.town('content types');
    const at = Math.floor(Date.now() / MINUTE) * MINUTE - 10 * MINUTE;
    for (const [i, type] of ['text/plain', 'application/x-www-form-urlencoded', undefined].entries()) {
      const res = await fetch(`${host.h.url}/api/towns/${t.id}/usage`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.ingest}`, ...(type ? { 'content-type': type } : {}) },
        body: JSON.stringify({ records: [rec({ id: `typed${i}`, inputTokens: 1, at })] }),
      });
      expect([type, res.status, await res.json()]).toEqual([type, 200, expect.objectContaining({ accepted: 1 })]);
    }
    const twice = await host.c.get(
      `/api/towns/${t.id}/metrics/timeseries?from=${at}&from=${at - 60 * MINUTE}&to=${at + MINUTE}&maxPoints=1`,
    );
    expect(twice.status).toBe(200);
    expect(twice.body).toMatchObject({ t: [at], series: { input_tokens: [3] } });
  });

  it('sums counters per bucket and leaves buckets with nothing measured null', async () => {
    const t = await host.c.town('gaps');
    const t0 = Math.floor(Date.now() / MINUTE) * MINUTE - 60 * MINUTE;
    await host.c.usage(t.id, t.ingest, [
      rec({ id: 'a', inputTokens: 7, outputTokens: 1, costMicrodollars: 30, at: t0 + 1000 }),
      rec({ id: 'b', inputTokens: 3, costMicrodollars: 12, at: t0 + 20_000 }),
      rec({ id: 'c', inputTokens: 100, at: t0 + 61_000 }),
    ]);
    const s = await host.c.series(t.id, t0 - 30_000, t0 + 90_000, 4);
    expect(s.step).toBe(30_000);
    expect(s.t).toEqual([t0 - 30_000, t0, t0 + 30_000, t0 + 60_000]);
    expect(s.series.input_tokens).toEqual([null, 10, null, 100]);
    expect(s.series.output_tokens).toEqual([null, 1, null, 0]);
    expect(s.series.cost_microdollars).toEqual([null, 42, null, 0]);
    expect(s.series.agents_total).toEqual([null, null, null, null]);
  });

  it('reports throughput over the last five minutes, and 0/0 lines of code as a real 0', async () => {
    const t = await host.c.town('throughput');
    await host.c.usage(t.id, t.ingest, [rec({ id: 'now', inputTokens: 3000, outputTokens: 600, costMicrodollars: 900 })]);
    expect(
      (await host.c.post(`/api/towns/${t.id}/loc`, { agents: [{ agentId: 'polecat-1', additions: 0, deletions: 0 }] }, t.ingest))
        .status,
    ).toBe(200);
    // The tick samples the gauges: 0/0 is a measured 0, not a gap.
    const now = Date.now();
    const s = await eventually(async () => {
      const r = await host.c.series(t.id, now - MINUTE, now + MINUTE, 1);
      return r.series.loc_additions?.[0] === null ? undefined : r;
    }, 'a tick after the ingest');
    expect(s.series.loc_additions).toEqual([0]);
    expect(s.series.loc_deletions).toEqual([0]);
    const tp = (await host.c.get(`/api/towns/${t.id}/metrics/throughput`)).body;
    expect(tp.tokensPerSecond).toBeCloseTo(3600 / 300, 9);
    expect(tp).toMatchObject({ locAdditions: 0, locDeletions: 0, costMicrodollarsPerHour: 900 * 12 });
    expect(sum(s.series.input_tokens)).toBe(3000);
  });

  it('pushes metrics.live over SSE within a second of an ingest', async () => {
    const t = await host.c.town('live');
    const live = new LiveStream(host.h.url, t.id, host.h.adminToken);
    try {
      await live.waitFor((e) => e.event === 'message');
      const from = live.events.length;
      const sentAt = performance.now();
      await host.c.usage(t.id, t.ingest, [rec({ id: 'live-1', inputTokens: 3000 })]);
      const pushed = await live.waitFor((e) => e.event === 'message' && e.data.tokensPerSecond > 0, { from, timeoutMs: 5000 });
      expect(pushed.at - sentAt).toBeLessThan(1000);
      expect(live.contentType).toContain('text/event-stream');
    } finally {
      await live.close();
    }
  });
});
