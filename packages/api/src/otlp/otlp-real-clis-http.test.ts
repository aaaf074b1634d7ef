import { startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ModelTotals, type RealExport, realExports, refusedIn, resourcesOf, totalsByModel } from './testing/real-exports.js';
import { post, townWithKey } from './testing/town.js';

/**
 * What the real agent CLIs exported (testing/fixtures/README.md: Claude Code 2.1.197, Codex 0.171.0, Gemini CLI
 * 0.61.0, each run against a fake model API whose every response carried known usage), posted as they sent it to a
 * real server: the town's totals per model must be the fake API's sums, each request once.
 */
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ autoTick: false });
});
afterAll(async () => {
  await s?.close();
});

/** The town's totals since it began, per model (its Prometheus counters, summed over agents). */
async function byModel(townId: string): Promise<Record<string, ModelTotals>> {
  const r = await s.get(`/api/towns/${townId}/metrics/prometheus`);
  expect(r.status).toBe(200);
  return totalsByModel(String(r.body));
}

/** Posts exports in the order given; every one must be taken whole (200, no partial success). */
async function send(key: string, exports: readonly RealExport[]): Promise<void> {
  for (const e of exports) {
    const r = await post(s, e.path, key, e.body, { 'content-type': e.contentType });
    expect(r.status, `${e.name}: ${new TextDecoder().decode(r.bytes)}`).toBe(200);
    expect(refusedIn(e, r.bytes), e.name).toBe('');
  }
}

const logsOf = (x: readonly RealExport[]) => x.filter((e) => e.path === '/v1/logs');
const metricsOf = (x: readonly RealExport[]) => x.filter((e) => e.path === '/v1/metrics');

describe('Claude Code 2.1.197 (OTLP protobuf, metrics and logs)', () => {
  // The fake API's sums over the 7 requests: 5 on claude-opus-4-8 (3 turns, one with a tool call, of one session
  // resumed twice; 1 of a second session) and 2 session-title requests on claude-haiku-4-5. Cost: Claude Code's own.
  const expected = {
    'claude-opus-4-8': { input: 647, output: 313, reasoning: 0, cache_read: 10357, cache_write: 5273, cost: 53025 },
    'claude-haiku-4-5-20251001': { input: 249, output: 121, reasoning: 0, cache_read: 4119, cache_write: 2091, cost: 4185 },
  };

  it('its logs and metrics have the same resource: one sender', () => {
    const exports = realExports('claude-code-2.1.197');
    const resources = new Set(exports.flatMap(resourcesOf).map((r) => JSON.stringify(r)));
    expect(resources.size).toBe(1);
  });

  it.each([
    ['as sent, logs first', (x: RealExport[]) => x],
    ['metrics first', (x: RealExport[]) => [...metricsOf(x), ...logsOf(x)]],
    ['metrics only', metricsOf],
    ['logs only', logsOf],
  ])('%s: each request counted once, per model', async (order, pick) => {
    const { townId, key } = await townWithKey(s, `claude ${order.replace(',', '')}`);
    await send(key, pick(realExports('claude-code-2.1.197')));
    expect(await byModel(townId)).toEqual(expected);
  });

  it('a model its metrics name with the context-window mark (claude-opus-4-8[1m]) counts under the API model', async () => {
    // Its first run: the metrics name the main model `claude-opus-4-8[1m]`, its api_request event `claude-opus-4-8`.
    const { townId, key } = await townWithKey(s, 'claude 1m metrics');
    await send(key, metricsOf(realExports('claude-code-2.1.197-1m')));
    expect(Object.keys(await byModel(townId)).sort()).toEqual(['claude-haiku-4-5-20251001', 'claude-opus-4-8']);
  });
});

describe('Claude Code 2.1.197, a subagent (the Agent tool)', () => {
  it.each([
    ['as sent', (x: RealExport[]) => x],
    ['metrics only', metricsOf],
  ])('%s: its spend is its session’s, not an agent named after its type', async (order, pick) => {
    // Its api_request events and points name the subagent's type: agent.name general-purpose.
    const { townId, key } = await townWithKey(s, `claude subagent ${order}`);
    await send(key, pick(realExports('claude-code-2.1.197-subagent')));
    const r = await s.get(`/api/towns/${townId}/metrics/prometheus`);
    const agents = new Set([...String(r.body).matchAll(/^gasgauge_tokens_total\{agent="([^"]*)"/gm)].map((m) => m[1]));
    expect([...agents]).toEqual(['claude-code/751dd3d6-657c-469c-83fa-148211d27731']);
    // The fake API's sums: 3 requests on claude-opus-4-8 (the session's 2 and its subagent's), 1 title on haiku.
    expect(await byModel(townId)).toEqual({
      'claude-opus-4-8': { input: 363, output: 177, reasoning: 0, cache_read: 6153, cache_write: 3117, cost: 31082 },
      'claude-haiku-4-5-20251001': { input: 107, output: 53, reasoning: 0, cache_read: 2017, cache_write: 1013, cost: 1991 },
    });
  });
});

describe('Codex 0.171.0 (OTLP protobuf, metrics and logs)', () => {
  // The fake API's sums over its 5 responses (gpt-5-codex; one session of 3 runs with a tool call, and another):
  // input 15,550 (5,250 of them cached), output 1,150 (370 of them reasoning). OTLP counts cached input inside input
  // and reasoning inside output (docs/api.md), and Codex exports no cost.
  const expected = { 'gpt-5-codex': { input: 15550, output: 1150, reasoning: 0, cache_read: 0, cache_write: 0, cost: 0 } };

  it.each([
    ['as sent', (x: RealExport[]) => x],
    ['logs first', (x: RealExport[]) => [...logsOf(x), ...metricsOf(x)]],
    ['metrics first', (x: RealExport[]) => [...metricsOf(x), ...logsOf(x)]],
    ['logs only', logsOf],
    ['metrics only', metricsOf],
  ])('%s: each response counted once', async (order, pick) => {
    const { townId, key } = await townWithKey(s, `codex ${order}`);
    await send(key, pick(realExports('codex-0.171.0')));
    expect(await byModel(townId)).toEqual(expected);
  });
});

describe('Codex 0.171.0, its logs', () => {
  it('one usage record per response: its second response.completed record, without amounts, is read no further', async () => {
    const { townId, key } = await townWithKey(s, 'codex records');
    await send(key, logsOf(realExports('codex-0.171.0')));
    const rows = s.openTown(townId).sql.rows('SELECT input_tokens FROM usage_records ORDER BY input_tokens');
    expect(rows.map((r) => r[0])).toEqual([3088, 3099, 3110, 3121, 3132]);
  });
});

describe('Gemini CLI 0.61.0 (OTLP JSON, cumulative metrics)', () => {
  // The fake API's sums over its 4 responses (gemini-2.5-pro; one session resumed twice, one tool call): prompt
  // 2,406 (574 cached, inside it), candidates 276, thoughts 178.
  it('each response counted once; its logs count nothing', async () => {
    const { townId, key } = await townWithKey(s, 'gemini as sent');
    await send(key, realExports('gemini-cli-0.61.0'));
    expect(await byModel(townId)).toEqual({
      'gemini-2.5-pro': { input: 2406, output: 276, reasoning: 178, cache_read: 0, cache_write: 0, cost: 0 },
    });
  });
});
