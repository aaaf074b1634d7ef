import { afterAll, describe, expect, it } from 'vitest';
import { gasgauge } from './testing/cli.js';
import { killServers, serveProcess as serve } from './testing/serve-process.js';
import { type HttpResult, request, trpcPath } from './testing/server.js';
import { tempDir } from './testing/temp.js';

const SLOT = 5000;
const AMOUNTS = [
  'inputTokens',
  'outputTokens',
  'reasoningTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'costMicrodollars',
] as const;
const COLUMN = {
  inputTokens: 'input_tokens',
  outputTokens: 'output_tokens',
  reasoningTokens: 'reasoning_tokens',
  cacheReadTokens: 'cache_read_tokens',
  cacheWriteTokens: 'cache_write_tokens',
  costMicrodollars: 'cost_microdollars',
} as const;
type Amounts = Record<(typeof AMOUNTS)[number], number>;

afterAll(killServers);

const data = (r: HttpResult, what: string) => {
  expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBe(200);
  return r.body.result.data;
};

async function timeseries(url: string, token: string, townId: string, from: number) {
  const r = await request(
    url,
    'GET',
    `/api/towns/${townId}/metrics/timeseries?from=${from}&to=${Date.now() + SLOT}&maxPoints=5000`,
    token,
  );
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as { step: number; t: number[]; series: Record<string, (number | null)[]> };
}

const sum = (xs: (number | null)[]) => xs.reduce<number>((a, v) => a + (v ?? 0), 0);

function record(id: string, mode: 'cumulative' | 'delta', amounts: Partial<Amounts>) {
  return {
    id,
    agentId: 'a1',
    model: 'claude',
    mode,
    ...Object.fromEntries(AMOUNTS.map((k) => [k, 0])),
    ...amounts,
    at: Date.now(),
  };
}

describe('restart after SIGKILL', () => {
  it('keeps exactly the acknowledged usage, with no spike after the restart', async () => {
    const dataDir = tempDir('gg-restart-');
    const first = await serve(dataDir);
    expect(first.adminToken).toMatch(/^ggu_/);
    const admin = first.adminToken as string;
    const townId = data(await request(first.url, 'POST', '/trpc/towns.create', admin, { name: 'Crash Town' }), 'create').id;
    const ingestToken = data(await request(first.url, 'POST', '/trpc/towns.mintIngestToken', admin, { townId }), 'mint').token;

    // Two streamed messages (cumulative totals growing) and delta records, over several batches.
    const batches = [
      [
        record('msg_a', 'cumulative', { inputTokens: 1000, outputTokens: 10, cacheReadTokens: 5000, costMicrodollars: 4000 }),
        record('d1', 'delta', { inputTokens: 7, outputTokens: 3, costMicrodollars: 21 }),
      ],
      [
        record('msg_a', 'cumulative', {
          inputTokens: 1000,
          outputTokens: 150,
          reasoningTokens: 40,
          cacheReadTokens: 5000,
          cacheWriteTokens: 300,
          costMicrodollars: 6100,
        }),
        record('msg_b', 'cumulative', { inputTokens: 200, outputTokens: 20, costMicrodollars: 900 }),
        record('d2', 'delta', {
          inputTokens: 11,
          outputTokens: 5,
          reasoningTokens: 2,
          cacheWriteTokens: 4,
          costMicrodollars: 33,
        }),
      ],
      [
        record('msg_a', 'cumulative', {
          inputTokens: 1000,
          outputTokens: 420,
          reasoningTokens: 90,
          cacheReadTokens: 5000,
          cacheWriteTokens: 300,
          costMicrodollars: 10_250,
        }),
        record('msg_b', 'cumulative', { inputTokens: 200, outputTokens: 75, cacheReadTokens: 64, costMicrodollars: 1730 }),
        record('d1', 'delta', { inputTokens: 7, outputTokens: 3, costMicrodollars: 21 }), // a retried delta: duplicate
        record('d3', 'delta', { inputTokens: 13, outputTokens: 1, cacheReadTokens: 9, costMicrodollars: 17 }),
      ],
    ];
    const lastOf = (id: string) =>
      batches
        .flat()
        .filter((r) => r.id === id)
        .at(-1) as unknown as Amounts;
    const expected = Object.fromEntries(
      AMOUNTS.map((k) => [
        COLUMN[k],
        lastOf('msg_a')[k] + lastOf('msg_b')[k] + lastOf('d1')[k] + lastOf('d2')[k] + lastOf('d3')[k],
      ]),
    ) as Record<string, number>;
    const from = Date.now() - 60_000;

    const acks: unknown[] = [];
    for (const records of batches) {
      const r = await request(first.url, 'POST', `/api/towns/${townId}/usage`, ingestToken, { records });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      acks.push(r.body);
    }
    // Right after the last acknowledgement, before the next tick can run.
    first.child.kill('SIGKILL');
    const killedAt = Date.now();
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(acks).toEqual([
      { accepted: 2, duplicates: 0, ignored: 0, tooOld: 0, skewed: 0 },
      { accepted: 3, duplicates: 0, ignored: 0, tooOld: 0, skewed: 0 },
      { accepted: 3, duplicates: 1, ignored: 0, tooOld: 0, skewed: 0 },
    ]);

    const second = await serve(dataDir);
    expect(second.adminToken).toBeNull();
    const restartedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1000)); // a few 200 ms ticks

    const ts = await timeseries(second.url, admin, townId, from);
    expect(ts.step).toBe(SLOT);
    for (const [column, total] of Object.entries(expected)) {
      const values = ts.series[column] as (number | null)[];
      expect(sum(values), column).toBe(total);
      // No bucket holds more than was ingested, and nothing lands after the crash.
      for (const [i, v] of values.entries()) {
        expect(v ?? 0, `${column} at ${ts.t[i]}`).toBeLessThanOrEqual(total);
        if ((ts.t[i] as number) >= Math.floor(killedAt / SLOT) * SLOT + SLOT) expect(v ?? 0, `${column} after restart`).toBe(0);
      }
    }
    // The restarted server did tick: gauges were sampled in a slot after the restart.
    const ticked = ts.t.findIndex((t, i) => t >= Math.floor(restartedAt / SLOT) * SLOT && ts.series.agents_total?.[i] !== null);
    expect(ticked, JSON.stringify(second.stderr)).toBeGreaterThanOrEqual(0);

    const tp = await request(second.url, 'GET', `/api/towns/${townId}/metrics/throughput`, admin);
    const tokens = Object.entries(expected).reduce((a, [c, v]) => (c === 'cost_microdollars' ? a : a + v), 0);
    expect(tp.body.tokensPerSecond).toBeCloseTo(tokens / 300, 9);
    expect(tp.body.costMicrodollarsPerHour).toBe((expected.cost_microdollars as number) * 12);

    // Retrying every batch against the restarted server adds nothing (the dedupe keys survived too).
    for (const records of batches) {
      const r = await request(second.url, 'POST', `/api/towns/${townId}/usage`, ingestToken, { records });
      expect(r.body.accepted).toBe(0);
    }
    expect(sum((await timeseries(second.url, admin, townId, from)).series.cost_microdollars ?? [])).toBe(
      expected.cost_microdollars,
    );

    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(second.stderr.filter((l) => l.includes('failed'))).toEqual([]);
  });
});

describe('the debit of a billing snapshot under SIGKILL', () => {
  it('lands exactly once when the server dies after the snapshot, and again after the debit, then ticks on', async () => {
    const dataDir = tempDir('gg-debit-crash-');
    const setup = await serve(dataDir);
    const admin = setup.adminToken as string;
    const townId = data(await request(setup.url, 'POST', '/trpc/towns.create', admin, { name: 'Billing Town' }), 'create').id;
    const ingestToken = data(await request(setup.url, 'POST', '/trpc/towns.mintIngestToken', admin, { townId }), 'mint').token;
    data(
      await request(setup.url, 'POST', '/trpc/billing.grant', admin, { userName: 'admin', amountMicrodollars: 10_000_000 }),
      'grant',
    );
    setup.child.kill('SIGTERM');
    expect(await setup.exited).toEqual({ code: 0, signal: null });

    // 1. Killed right after the tick closed the cost into the town's outbox: the ledger never heard of it.
    const afterTick = await serve(dataDir, { GASGAUGE_TEST_CRASH: 'after-tick' });
    const r = await request(afterTick.url, 'POST', `/api/towns/${townId}/usage`, ingestToken, {
      records: [record('spend_1', 'delta', { inputTokens: 10, costMicrodollars: 1234 })],
    });
    expect(r.status).toBe(200);
    expect(await afterTick.exited).toEqual({ code: null, signal: 'SIGKILL' });

    // 2. Killed after the account recorded the debit, before the town forgot it.
    const beforeAck = await serve(dataDir, { GASGAUGE_TEST_CRASH: 'before-ack' });
    expect(await beforeAck.exited).toEqual({ code: null, signal: 'SIGKILL' });

    // 3. A normal start posts the outbox again (a no-op by its key), forgets it, and ticks on.
    const last = await serve(dataDir);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // several 200 ms ticks
    const ledger = data(await request(last.url, 'GET', trpcPath('billing.ledger', {}), admin), 'ledger') as {
      entries: { kind: string; amountMicrodollars: number; townId: string | null }[];
    };
    expect(ledger.entries.map((e) => [e.kind, e.amountMicrodollars, e.townId])).toEqual([
      ['debit', -1234, townId],
      ['grant', 10_000_000, null],
    ]);
    const balance = await request(last.url, 'GET', '/api/balance', admin);
    expect(balance.body).toMatchObject({ balanceMicrodollars: 10_000_000 - 1234, burnMicrodollarsPerHour: 1234 });
    last.child.kill('SIGTERM');
    expect(await last.exited).toEqual({ code: 0, signal: null });
  });
});

describe('CLI beside a running server', () => {
  it('creates a town and mints an ingest token (--json) that the running server accepts', async () => {
    const dataDir = tempDir('gg-cli-live-');
    const server = await serve(dataDir);
    const admin = server.adminToken as string;

    const created = await gasgauge('town', 'create', 'CLI Town', '--owner', 'admin', '--data', dataDir, '--json');
    expect(created.code, created.stderr).toBe(0);
    const { town } = JSON.parse(created.stdout) as { town: { id: string; name: string; ownerUserId: string } };
    expect(town).toMatchObject({ id: expect.stringMatching(/^town_/), name: 'CLI Town' });

    const before = Date.now();
    const minted = await gasgauge(
      'token',
      'mint',
      '--town',
      town.id,
      '--agent',
      'a9',
      '--ttl',
      '30m',
      '--data',
      dataDir,
      '--json',
    );
    expect(minted.code, minted.stderr).toBe(0);
    const { token, expiresAt } = JSON.parse(minted.stdout) as { token: string; expiresAt: number };
    expect(token.split('.')).toHaveLength(3);
    expect(expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 30 * 60_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 30 * 60_000);

    // The running server sees the town at once, and the CLI's key is the server's key.
    const listed = data(await request(server.url, 'GET', trpcPath('towns.list'), admin), 'list') as { id: string }[];
    expect(listed.map((t) => t.id)).toContain(town.id);
    const rec = { ...record('cli_1', 'delta', { inputTokens: 42, outputTokens: 8, costMicrodollars: 99 }), agentId: 'a9' };
    const ok = await request(server.url, 'POST', `/api/towns/${town.id}/usage`, token, { records: [rec] });
    expect(ok).toEqual({ status: 200, body: { accepted: 1, duplicates: 0, ignored: 0, tooOld: 0, skewed: 0 } });
    const other = await request(server.url, 'POST', `/api/towns/${town.id}/usage`, token, {
      records: [{ ...rec, id: 'cli_2', agentId: 'a1' }],
    });
    expect(other.status).toBe(403);
    expect(other.body.error.path).toBe('records[0].agentId');

    const ts = await timeseries(server.url, admin, town.id, Date.now() - 60_000);
    expect(sum(ts.series.input_tokens ?? [])).toBe(42);
    expect(sum(ts.series.cost_microdollars ?? [])).toBe(99);

    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });
});
