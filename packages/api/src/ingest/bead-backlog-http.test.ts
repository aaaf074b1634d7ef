import { MAX_BEAD_BACKLOG } from '@gasgauge/core';
import { startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * One client ingesting usage faster than the tick applies it to the per-bead totals (no tick here at all):
 * past the backlog bound the usage route sheds load with a 503 and Retry-After, so the records every
 * bead read corrects its totals with stay bounded.
 */
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ autoTick: false });
});
afterAll(async () => {
  await s?.close();
});

const BATCH = 5_000;
const at = Date.now() - 60_000;
const body = (from: number, n = BATCH) => ({
  records: Array.from({ length: n }, (_, i) => ({
    id: `u${from + i}`,
    agentId: `agent-${(from + i) % 50}`,
    model: 'm',
    inputTokens: 1,
    outputTokens: 1,
    costMicrodollars: 1,
    at: at + ((from + i) % 60_000),
    beadId: `bead-${from + i}`,
  })),
});

const post = (payload: unknown) =>
  fetch(`${s.url}/api/towns/${s.townId}/usage`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.ingestToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });

describe('usage not yet applied to the per-bead totals', () => {
  it(`past ${MAX_BEAD_BACKLOG} records, usage is a 503 with Retry-After that stores nothing; a tick makes room`, async () => {
    for (let i = 0; i < MAX_BEAD_BACKLOG; i += BATCH) expect((await post(body(i))).status).toBe(200);
    const shed = await post(body(MAX_BEAD_BACKLOG, 1));
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('1');
    expect((await shed.json()).error).toMatchObject({ code: 'unavailable', path: 'records' });
    const stats = await s.get(`/api/towns/${s.townId}/beads-stats`);
    expect(stats.body.totalCostMicrodollars).toBe(MAX_BEAD_BACKLOG);

    await s.tickTown(s.townId);
    expect((await post(body(MAX_BEAD_BACKLOG, 1))).status).toBe(200);
  }, 120_000);
});
