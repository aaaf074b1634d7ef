import { MAX_USAGE_ONLY_ROWS, USAGE_ONLY_AGENTS } from '@gasgauge/core';
import { usageRecord } from '@gasgauge/server/testing';
import { middayClock } from '@gasgauge/server/testing/clock';
import { startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * attack14: one ingest token posting a new agent (or agent × model pair) per usage record filled the usage
 * window (the last 5 minutes of breakdown_1m) with 700,000 rows, and every tick of its town, and every
 * throughput read and Prometheus scrape after a write, counted the distinct agents among all of them on the
 * server's one event loop. The count now reads at most MAX_USAGE_ONLY_ROWS rows of the window.
 */
describe('agents seen only through usage, counted from a window one client filled', () => {
  const clock = middayClock();
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ clock, autoTick: false });
  });
  afterAll(() => s?.close());

  it(`count at most ${MAX_USAGE_ONLY_ROWS} rows of the window, in throughput, the scrape and the tick alike`, async () => {
    const town = s.openTown(s.townId);
    const at = clock() - 1000;
    const total = MAX_USAGE_ONLY_ROWS + 5000;
    // Each record a new agent: one window row each (filled through the server's own Town: 41 requests' worth).
    for (let b = 0; b < total; b += 5000) {
      town.ingestUsage(
        Array.from({ length: 5000 }, (_, i) => usageRecord({ id: `r${b + i}`, agentId: `made-up-${b + i}`, inputTokens: 1, at })),
      );
      // The loop's timers run between batches, so the client drops its idle connections as the server does.
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(town.sql.rows('SELECT COUNT(*) FROM breakdown_1m')[0]?.[0]).toBe(total);
    // The statement's plan reads the window through the primary key and stops at the bound.
    const plan = town.sql.rows(`EXPLAIN QUERY PLAN ${USAGE_ONLY_AGENTS}`, at);
    expect(plan.map((row) => row.at(-1)).join('\n')).toMatch(/SEARCH breakdown_1m/);

    const throughput = await s.get(`/api/towns/${s.townId}/metrics/throughput`);
    expect(throughput.status).toBe(200);
    expect(throughput.body.agentsActive).toBe(MAX_USAGE_ONLY_ROWS);
    const scrape = await s.get(`/api/towns/${s.townId}/metrics/prometheus`);
    expect(scrape.status).toBe(200);
    expect(scrape.body).toContain(`gasgauge_agents{status="working"} ${MAX_USAGE_ONLY_ROWS}\n`);
    await s.tickTown(s.townId);
    const after = await s.get(`/api/towns/${s.townId}/metrics/throughput`);
    expect(after.body.agentsActive).toBe(MAX_USAGE_ONLY_ROWS);
  }, 120_000);
});
