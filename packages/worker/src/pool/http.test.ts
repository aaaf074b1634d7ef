import { expect, it } from 'vitest';
import { POOL_ADMIN as ADMIN, call } from './call.js';

it('serves the API: the admin token from GASGAUGE_ADMIN_TOKEN creates a town, which takes ingest and reads it back', async () => {
  const town = await call('POST', '/trpc/towns.create', ADMIN, { name: 'pool town' });
  expect(town.status).toBe(200);
  const townId = town.body.result.data.id as string;
  const minted = await call('POST', '/trpc/towns.mintIngestToken', ADMIN, { townId });
  const token = minted.body.result.data.token as string;
  const record = { id: 'm1', agentId: 'a', model: 'm', inputTokens: 100, outputTokens: 5, costMicrodollars: 42, at: Date.now() };
  const first = await call('POST', `/api/towns/${townId}/usage`, token, { records: [record] });
  expect(first).toMatchObject({ status: 200, body: { accepted: 1 } });
  const again = await call('POST', `/api/towns/${townId}/usage`, token, { records: [record] });
  expect(again).toMatchObject({ status: 200, body: { accepted: 0, duplicates: 1 } });
  const bad = await call('POST', `/api/towns/${townId}/usage`, token, { records: [{ ...record, id: 'm2', inputTokens: -1 }] });
  expect(bad.status).toBe(400);
  expect(bad.body.error.path).toContain('inputTokens');
  const tp = await call('GET', `/api/towns/${townId}/metrics/throughput`, ADMIN);
  expect(tp.status).toBe(200);
  expect(tp.body.tokensPerSecond).toBeGreaterThan(0);

  // A breakdown with an `other` from the rollup tier's totals, in the town's object.
  const second = await call('POST', `/api/towns/${townId}/usage`, token, {
    records: [{ ...record, id: 'm3', agentId: 'b', inputTokens: 7, outputTokens: 0, costMicrodollars: 1 }],
  });
  expect(second).toMatchObject({ status: 200, body: { accepted: 1 } });
  // Hour buckets: the 1-hour tier.
  const q = {
    townId,
    from: record.at - 3 * 3_600_000,
    to: record.at + 3_600_000,
    maxPoints: 4,
    by: 'agent',
    metric: 'tokens',
    limit: 1,
  };
  const bd = await call('GET', `/trpc/metrics.breakdown?input=${encodeURIComponent(JSON.stringify(q))}`, ADMIN);
  expect(bd.status).toBe(200);
  const sum = (values: (number | null)[]) => values.reduce<number>((s, v) => s + (v ?? 0), 0);
  const { series, other } = bd.body.result.data;
  expect(series.map((s: { key: string; values: (number | null)[] }) => [s.key, sum(s.values)])).toEqual([['a', 105]]);
  expect([other.keys, sum(other.values)]).toEqual([1, 7]);
});
