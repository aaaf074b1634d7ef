import { MAX_TOTALS_SERIES } from '@gasgauge/core';
import { startServer } from '@gasgauge/server';
import { startTestServer, type TestServer, trpcPath } from '@gasgauge/server/testing/server';
import parsePrometheus from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENMETRICS_CONTENT_TYPE } from './openmetrics.js';

/** Agent names are reporters' strings: each must come back exactly, as a label value. */
const NASTY_AGENTS = [
  '__proto__',
  'constructor',
  'say "hi"',
  'back\\slash\\',
  'two\nlines',
  '\u202eevil\u202c bidi',
  'a'.repeat(256),
  'plain',
];
const MODELS = ['claude-x', 'gpt-"y"'];

let s: TestServer;
const NOW = Date.now();

interface Scrape {
  status: number;
  contentType: string | null;
  text: string;
}

async function scrape(townId: string, token: string | null = s.adminToken, url = s.url): Promise<Scrape> {
  const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
  const res = await fetch(`${url}/api/towns/${encodeURIComponent(townId)}/metrics/prometheus`, { headers });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

type Labels = Partial<Record<'agent' | 'model' | 'type' | 'status' | 'kind', string>>;
interface Family {
  name: string;
  type: string;
  metrics: { value: string; labels?: Labels }[];
}

/**
 * Checks the OpenMetrics structure (the parser reads the Prometheus text format, so TYPE/UNIT/EOF and the counters'
 * `_total` suffix are checked here) and returns the samples by sample name.
 */
function parse(text: string): Map<string, { labels: Labels; value: number }[]> {
  const lines = text.split('\n');
  expect(lines.at(-1)).toBe('');
  expect(lines.at(-2)).toBe('# EOF');
  expect(lines.filter((l) => l === '# EOF')).toHaveLength(1);
  const types = new Map<string, string>();
  for (const l of lines) {
    const m = /^# (TYPE|UNIT|HELP) (\S+) (.*)$/.exec(l);
    if (m?.[1] === 'TYPE') types.set(m[2] as string, m[3] as string);
    if (m?.[1] === 'UNIT') expect(m[2]?.endsWith(`_${m[3]}`), l).toBe(true);
  }
  const out = new Map<string, { labels: Labels; value: number }[]>();
  for (const f of parsePrometheus(text) satisfies Family[]) {
    if (f.metrics.length === 0) continue;
    const family = f.name.endsWith('_total') ? f.name.slice(0, -'_total'.length) : f.name;
    expect(types.get(family), f.name).toBe(f.name.endsWith('_total') ? 'counter' : 'gauge');
    out.set(
      f.name,
      f.metrics.map((m) => {
        expect(m.value, f.name).toMatch(/^-?\d+$/);
        return { labels: m.labels ?? {}, value: Number(m.value) };
      }),
    );
  }
  return out;
}

const sum = (xs: readonly { value: number }[] | undefined) => (xs ?? []).reduce((a, x) => a + x.value, 0);
const where = (xs: readonly { labels: Labels; value: number }[] | undefined, labels: Labels) =>
  (xs ?? []).filter((x) => (Object.keys(labels) as (keyof Labels)[]).every((k) => x.labels[k] === labels[k]));

async function trpc(proc: string, input: unknown) {
  const r = await s.get(trpcPath(proc, input));
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.result.data;
}

beforeAll(async () => {
  s = await startTestServer({ autoTick: false });
  let n = 0;
  const records = NASTY_AGENTS.flatMap((agentId, a) =>
    MODELS.map((model, m) => ({
      id: `r${n++}`,
      agentId,
      model,
      inputTokens: 1000 * (a + 1) + m,
      outputTokens: 100 * (a + 1),
      reasoningTokens: a,
      cacheReadTokens: 7 * m,
      cacheWriteTokens: 3,
      costMicrodollars: 5000 * (a + 1) + m,
      at: NOW - 120_000 + a * 1000,
      mode: 'delta',
    })),
  );
  expect((await s.post(`/api/towns/${s.townId}/usage`, { records })).status).toBe(200);
  const events = [
    { id: 'e1', at: NOW - 1000, type: 'agent', agentId: '__proto__', status: 'working' },
    { id: 'e2', at: NOW - 1000, type: 'agent', agentId: 'plain', status: 'idle' },
    { id: 'e3', at: NOW - 1000, type: 'agent', agentId: 'say "hi"', status: 'working' },
    { id: 'e4', at: NOW - 1000, type: 'bead', beadId: 'b1', status: 'open' },
    { id: 'e5', at: NOW - 1000, type: 'bead', beadId: 'b2', status: 'closed' },
  ];
  expect((await s.post(`/api/towns/${s.townId}/events`, { events })).status).toBe(200);
  expect(
    (await s.post(`/api/towns/${s.townId}/loc`, { agents: [{ agentId: 'plain', additions: 12, deletions: 5 }] })).status,
  ).toBe(200);
  await s.tickTown(s.townId); // debits the cost from the admin's account
});
afterAll(async () => {
  await s?.close();
});

describe('GET /api/towns/:townId/metrics/prometheus', () => {
  it('is OpenMetrics whose values agree with the timeseries, breakdown, throughput and balance APIs', async () => {
    const r = await scrape(s.townId);
    expect(r.status, r.text).toBe(200);
    expect(r.contentType).toBe(OPENMETRICS_CONTENT_TYPE);
    const m = parse(r.text);
    const tokens = m.get('gasgauge_tokens_total');
    const cost = m.get('gasgauge_cost_microdollars_total');
    expect(tokens).toHaveLength(NASTY_AGENTS.length * MODELS.length * 5);
    expect(cost).toHaveLength(NASTY_AGENTS.length * MODELS.length);

    // Every name comes back exactly (escaping round-trips), each pair once.
    for (const agent of NASTY_AGENTS)
      for (const model of MODELS) expect(where(cost, { agent, model }), JSON.stringify(agent)).toHaveLength(1);

    // Per type against the town's timeseries over everything.
    const ts = (await s.get(`/api/towns/${s.townId}/metrics/timeseries?from=${NOW - 3_600_000}&to=${NOW + 60_000}&maxPoints=1`))
      .body;
    const total = (name: string) => (ts.series[name] as (number | null)[]).reduce<number>((a, v) => a + (v ?? 0), 0);
    for (const [type, series] of [
      ['input', 'input_tokens'],
      ['output', 'output_tokens'],
      ['reasoning', 'reasoning_tokens'],
      ['cache_read', 'cache_read_tokens'],
      ['cache_write', 'cache_write_tokens'],
    ] as const) {
      expect(sum(where(tokens, { type })), type).toBe(total(series));
    }
    expect(sum(cost)).toBe(total('cost_microdollars'));

    // Per agent against the breakdown.
    for (const metric of ['tokens', 'cost'] as const) {
      const b = await trpc('metrics.breakdown', {
        townId: s.townId,
        from: NOW - 3_600_000,
        to: NOW + 60_000,
        maxPoints: 1,
        by: 'agent',
        metric,
        limit: 50,
      });
      expect(b.series).toHaveLength(NASTY_AGENTS.length);
      for (const series of b.series as { key: string; values: (number | null)[] }[]) {
        const fromApi = series.values.reduce<number>((a, v) => a + (v ?? 0), 0);
        expect(sum(where(metric === 'tokens' ? tokens : cost, { agent: series.key })), series.key).toBe(fromApi);
      }
    }

    const tp = await trpc('metrics.throughput', { townId: s.townId });
    expect(sum(where(m.get('gasgauge_agents'), { status: 'working' }))).toBe(tp.agentsActive);
    expect(sum(m.get('gasgauge_agents'))).toBe(tp.agentsTotal);
    expect(where(m.get('gasgauge_beads'), { status: 'open' })[0]?.value).toBe(1);
    expect(where(m.get('gasgauge_beads'), { status: 'closed' })[0]?.value).toBe(1);
    expect(where(m.get('gasgauge_lines_of_code'), { kind: 'additions' })[0]?.value).toBe(tp.locAdditions);
    expect(where(m.get('gasgauge_lines_of_code'), { kind: 'deletions' })[0]?.value).toBe(tp.locDeletions);

    const balance = (await s.get('/api/balance')).body.balanceMicrodollars;
    expect(balance).toBeLessThan(0); // the tick debited the town's cost
    expect(m.get('gasgauge_balance_microdollars')?.[0]?.value).toBe(balance);
    expect(sum(m.get('gasgauge_other_tokens_total'))).toBe(0);
    expect(m.get('gasgauge_other_pairs')?.[0]?.value).toBe(0);
  });

  it('answers with the same counters after the server restarts', async () => {
    const before = (await scrape(s.townId)).text;
    await s.close();
    const again = await startServer({ dataDir: s.dataDir, port: 0, host: '127.0.0.1', autoTick: false, log: () => {} });
    try {
      const after = await scrape(s.townId, s.adminToken, again.url);
      expect(after.status).toBe(200);
      expect(after.text).toBe(before);
    } finally {
      await again.close();
      s = await startTestServer({ autoTick: false }); // a fresh server for the tests below
    }
  });

  it(`gives ${MAX_TOTALS_SERIES} agent × model pairs series of their own, and sums the rest exactly`, async () => {
    const townId = await s.createTown('many');
    const token = await s.mint(townId);
    const record = (i: number) => ({
      id: `m${i}`,
      agentId: `agent-${String(i).padStart(4, '0')}`,
      model: 'm',
      inputTokens: 10 + i,
      outputTokens: 1,
      costMicrodollars: 100 + i,
      at: NOW - 60_000,
      mode: 'delta',
    });
    const post = async (from: number, to: number) =>
      expect(
        (
          await s.post(
            `/api/towns/${townId}/usage`,
            { records: Array.from({ length: to - from }, (_, k) => record(from + k)) },
            token,
          )
        ).status,
      ).toBe(200);

    await post(0, MAX_TOTALS_SERIES);
    let m = parse((await scrape(townId)).text);
    expect(m.get('gasgauge_cost_microdollars_total')).toHaveLength(MAX_TOTALS_SERIES);
    expect(m.get('gasgauge_other_pairs')?.[0]?.value).toBe(0);
    expect(sum(m.get('gasgauge_other_cost_microdollars_total'))).toBe(0);

    await post(MAX_TOTALS_SERIES, MAX_TOTALS_SERIES + 1); // the largest yet: agent-0000 (the smallest) leaves the top
    const r = await scrape(townId);
    m = parse(r.text);
    const cost = m.get('gasgauge_cost_microdollars_total');
    expect(cost).toHaveLength(MAX_TOTALS_SERIES);
    expect(where(cost, { agent: 'agent-0000' })).toHaveLength(0);
    expect(m.get('gasgauge_other_pairs')?.[0]?.value).toBe(1);
    expect(sum(m.get('gasgauge_other_cost_microdollars_total'))).toBe(100);
    expect(where(m.get('gasgauge_other_tokens_total'), { type: 'input' })[0]?.value).toBe(10);
    const all = Array.from({ length: MAX_TOTALS_SERIES + 1 }, (_, i) => record(i));
    expect(sum(cost) + sum(m.get('gasgauge_other_cost_microdollars_total'))).toBe(
      all.reduce((a, x) => a + x.costMicrodollars, 0),
    );
    expect(sum(m.get('gasgauge_tokens_total')) + sum(m.get('gasgauge_other_tokens_total'))).toBe(
      all.reduce((a, x) => a + x.inputTokens + x.outputTokens, 0),
    );
    expect(Buffer.byteLength(r.text)).toBeLessThan(64 * 1024);
  });

  it('needs a user token of someone who may read the town', async () => {
    expect((await scrape(s.townId, null)).status).toBe(401);
    expect((await scrape(s.townId, s.ingestToken)).status).toBe(401); // an ingest JWT never reads
    const other = await s.addUser('stranger');
    const r = await scrape(s.townId, other.token);
    expect(r.status).toBe(404);
    expect(JSON.parse(r.text).error).toMatchObject({ code: 'not_found', path: 'townId' });
    expect((await scrape('town_nope')).status).toBe(404);
    const own = (await s.post('/trpc/towns.create', { name: 'mine' }, other.token)).body.result.data.id;
    expect((await scrape(own, other.token)).status).toBe(200);
  });
});
