import { startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_GROUP_ITEMS } from './group-commit.js';

/**
 * attack14: one ingest token, ten concurrent requests of 5,000 usage records, each a new agent × model pair.
 * They gathered into one 50,000-record group commit, a synchronous transaction that held the server's one
 * event loop, and so every other town's requests, for 1.8 s (2.9 s for /healthz under load). Now a
 * transaction writes at most MAX_GROUP_ITEMS items and the rest waits for the next group.
 */
let s: TestServer;
beforeAll(async () => {
  // The writes wait a little, so that all ten requests are queued before the first group is written.
  s = await startTestServer({ autoTick: false, writeDelayMs: 200 });
});
afterAll(async () => {
  await s?.close();
});

describe('group commit under one client flooding its town', () => {
  it(`writes ten concurrent 5,000-record requests in transactions of at most ${MAX_GROUP_ITEMS} records, and stores them all`, async () => {
    const town = s.openTown(s.townId);
    const sizes: number[] = [];
    const ingest = town.ingest.bind(town);
    town.ingest = (jobs) => {
      sizes.push(jobs.reduce((n, j) => n + (j.kind === 'usage' ? j.records.length : 0), 0));
      return ingest(jobs);
    };
    const at = Date.now() - 60_000;
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, b) =>
        s.post(`/api/towns/${s.townId}/usage`, {
          records: Array.from({ length: 5000 }, (_, i) => ({
            id: `r${b}-${i}`,
            agentId: `agent-${b}-${i}`,
            model: `model-${i}`,
            inputTokens: 1,
            outputTokens: 0,
            costMicrodollars: 1,
            at,
          })),
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(answers.map((a) => a.body.accepted)).toEqual(Array(10).fill(5000));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(50_000);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_GROUP_ITEMS);
    expect(sizes).toHaveLength(10);
  });
});
