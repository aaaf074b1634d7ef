import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DataDir } from './data-dir.js';
import { startTestServer, trpcPath } from './testing/server.js';
import { usageRecord } from './testing/temp.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the tick scheduler and quiet towns', () => {
  it('never opens a town that took no write, and a saved budget wakes a dormant town at once', async () => {
    let skew = 0;
    const s = await startTestServer({ tickMs: 100, clock: () => Date.now() + skew });
    try {
      const file = (id: string) => new DataDir(s.dataDir).townFile(id);
      await sleep(2500); // past the scheduler's look for new towns
      expect(existsSync(file(s.townId))).toBe(false);

      // Spend, then 11 minutes later (idle): the cost is debited, and the town goes dormant.
      const r = await s.post(`/api/towns/${s.townId}/usage`, {
        records: [usageRecord({ id: 'u1', at: Date.now(), costMicrodollars: 900 })],
      });
      expect(r.status).toBe(200);
      await sleep(300);
      skew += 11 * 60_000;
      await sleep(1000);
      const events = async () =>
        (await s.get(trpcPath('metrics.events', { townId: s.townId }))).body.result.data.events as { type: string }[];
      expect((await events()).filter((e) => e.type === 'budget')).toEqual([]);

      // A cap under what was spent is crossed already: the next tick, within the active interval, says so.
      const saved = await fetch(`${s.url}/trpc/towns.setBudget`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ townId: s.townId, period: 'day', capMicrodollars: 1000 }),
      });
      expect(saved.status).toBe(200);
      await sleep(1000);
      expect((await events()).filter((e) => e.type === 'budget')).toHaveLength(1);
      expect(s.logs.filter((l) => l.includes('failed'))).toEqual([]);
    } finally {
      await s.close();
    }
  }, 30_000);
});
