import { MAX_BEAD_READ_BACKLOG } from '@gasgauge/core';
import { startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * One client ingesting usage faster than the tick applies it to the per-bead totals (no tick here at all):
 * every record is taken, and the town's bead reads answer 503 with Retry-After until the tick has caught
 * up, so no bead read pays for correcting its totals with an unbounded number of records.
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
  it(`is always taken; past ${MAX_BEAD_READ_BACKLOG} records bead reads are a 503 with Retry-After until a tick`, async () => {
    const total = MAX_BEAD_READ_BACKLOG + 1;
    for (let i = 0; i < total; i += BATCH) expect((await post(body(i, Math.min(BATCH, total - i)))).status).toBe(200);
    for (const path of ['beads-stats', 'beads', 'beads/bead-1']) {
      const r = await fetch(`${s.url}/api/towns/${s.townId}/${path}`, { headers: { authorization: `Bearer ${s.adminToken}` } });
      expect(r.status, path).toBe(503);
      expect(r.headers.get('retry-after')).toBe('1');
      expect((await r.json()).error).toMatchObject({ code: 'unavailable', path: 'townId' });
    }
    await s.tickTown(s.townId);
    const stats = await s.get(`/api/towns/${s.townId}/beads-stats`);
    expect(stats.status).toBe(200);
    expect(stats.body.totalCostMicrodollars).toBe(total);
  }, 120_000);
});
