import type { SqlValue } from '@gasgauge/core';
import { startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Every record the OTLP receiver builds is held to a posted usage record's bounds (ingest/schemas.ts): an agent,
 * model or provider is 1 to 256 characters. The mapping checked the agent's and model's length by hand but not that
 * they were there at all, nor the provider: `gt.agent=""` and `model=""` were stored as the empty agent and model
 * (which REST refuses, and the agents list never shows, its pages starting after ""), and a
 * `gen_ai.provider.name` of 1,000 characters stored whole.
 */
const NOW = 1_795_608_000_000;
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ clock: () => NOW, autoTick: false });
});
afterAll(async () => {
  await s?.close();
});

let seq = 0;
const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
type Attr = ReturnType<typeof str>;

/** One delta point of `name` from a resource of `resource`, with `point` attributes. */
function metrics(resource: Attr[], point: Attr[], name = 'claude_code.token.usage') {
  const dataPoint = { timeUnixNano: String(BigInt(NOW - ++seq) * 1_000_000n), asInt: '7', attributes: point };
  const metric = { name, sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [dataPoint] } };
  return s.post('/v1/metrics', {
    resourceMetrics: [{ resource: { attributes: resource }, scopeMetrics: [{ metrics: [metric] }] }],
  });
}

function logs(resource: Attr[], record: Attr[]) {
  const log = {
    timeUnixNano: String(BigInt(NOW - ++seq) * 1_000_000n),
    eventName: 'claude_code.api_request',
    attributes: [str('request_id', `req-${seq}`), str('input_tokens', '7'), ...record],
  };
  return s.post('/v1/logs', { resourceLogs: [{ resource: { attributes: resource }, scopeLogs: [{ logRecords: [log] }] }] });
}

const stored = (where: string, ...args: SqlValue[]) =>
  Number(s.openTown(s.townId).sql.rows(`SELECT COUNT(*) FROM usage_records WHERE ${where}`, ...args)[0]?.[0]);

describe('a record an OTLP export builds has the bounds of a posted one', () => {
  it('an empty agent (gt.agent="") or model (model="") is rejected alone, in partialSuccess; the export goes on', async () => {
    const agent = await metrics([str('gt.agent', '')], [str('type', 'input'), str('model', 'm')]);
    expect(agent.status).toBe(200);
    expect(agent.body.partialSuccess).toEqual({
      rejectedDataPoints: 1,
      errorMessage: 'agentId: Too small: expected string to have >=1 characters',
    });
    const model = await metrics([str('gt.agent', 'polecat-1')], [str('type', 'output'), str('model', '')]);
    expect(model.body.partialSuccess?.rejectedDataPoints, JSON.stringify(model.body)).toBe(1);
    expect(model.body.partialSuccess?.errorMessage).toMatch(/^model: /);
    const log = await logs([str('gt.agent', '')], []);
    expect(log.body.partialSuccess?.rejectedLogRecords, JSON.stringify(log.body)).toBe(1);
    expect(stored("agent_id = '' OR model = ''")).toBe(0);

    const ok = await metrics([str('gt.agent', 'polecat-1')], [str('type', 'input'), str('model', 'm')]);
    expect(ok.body.partialSuccess, JSON.stringify(ok.body)).toBeUndefined();
    expect(stored("agent_id = 'polecat-1'")).toBe(1);
  });

  it('an activity point of an empty agent is rejected alone', async () => {
    const r = await metrics([str('gt.agent', '')], [], 'claude_code.commit.count');
    expect(r.body.partialSuccess?.rejectedDataPoints, JSON.stringify(r.body)).toBe(1);
    const rows = s.openTown(s.townId).sql.rows("SELECT COUNT(*) FROM activity_records WHERE agent_id = ''");
    expect(Number(rows[0]?.[0])).toBe(0);
  });

  it('a provider (gen_ai.provider.name) of 256 characters is stored; 257 or none at all is rejected', async () => {
    const provider = (p: string) => metrics([str('gt.agent', 'prov')], [str('type', 'input'), str('gen_ai.provider.name', p)]);
    expect((await provider('p'.repeat(256))).body.partialSuccess).toBeUndefined();
    const over = await provider('p'.repeat(257));
    expect(over.body.partialSuccess).toEqual({
      rejectedDataPoints: 1,
      errorMessage: 'provider: Too big: expected string to have <=256 characters',
    });
    expect((await provider('')).body.partialSuccess?.rejectedDataPoints).toBe(1);
    const sent = (await logs([str('gt.agent', 'prov')], [str('gen_ai.provider.name', 'p'.repeat(1000))])).body;
    // A log record's provider is its event's own (anthropic): the attribute is not read there.
    expect(sent.partialSuccess, JSON.stringify(sent)).toBeUndefined();
    expect(stored('length(provider) > 256 OR provider = ?', '')).toBe(0);
    expect(stored('length(provider) = 256')).toBe(1);
  });
});

/** Every attribute the mapping reads an agent, model, provider or bead from (mapping.ts), each empty and past 256 characters. */
const ID_ATTRIBUTES = [
  'gt.agent',
  'gt.actor',
  'agent.name',
  'service.name',
  'session.id',
  'model',
  'gen_ai.request.model',
  'gen_ai.response.model',
  'gen_ai.provider.name',
  'gen_ai.system',
  'gt.issue',
];
const BAD_TEXT = ['', 'p'.repeat(257), '😀'.repeat(257)];

describe('no attribute makes a stored record break a posted record’s id bounds', () => {
  const pastBounds = () => {
    const bad = (column: string) => `(${column} IS NOT NULL AND (length(${column}) < 1 OR length(${column}) > 256))`;
    const columns = ['agent_id', 'model', 'provider', 'bead_id'];
    return [
      ...s
        .openTown(s.townId)
        .sql.rows(`SELECT agent_id, model, provider FROM usage_records WHERE ${columns.map(bad).join(' OR ')}`),
      ...s.openTown(s.townId).sql.rows(`SELECT agent_id FROM activity_records WHERE ${bad('agent_id')}`),
    ];
  };

  it.each(ID_ATTRIBUTES)('%s, empty or of 257 characters, on the resource or the point, metrics and logs', async (key) => {
    for (const text of BAD_TEXT) {
      const answers = [
        await metrics([str(key, text)], [str('type', 'input')]),
        await metrics([], [str('type', 'input'), str(key, text)]),
        await metrics([str(key, text)], [], 'claude_code.commit.count'),
        await logs([str(key, text)], []),
        await logs([], [str(key, text)]),
      ];
      for (const r of answers) expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    expect(pastBounds()).toEqual([]);
  });
});
