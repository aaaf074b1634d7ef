import { startTestServer, type TestServer, trpcPath } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * An id is at most 256 characters on every ingest route, counted alike: Unicode code points, as every
 * schema's `z.string().max()` counts them. OTLP's agent, model and attribute bounds are checked by hand;
 * they had counted UTF-16 units, so an agent of 200 emoji that REST stored was rejected from OTLP.
 */
const NOW = 1_795_608_000_000;
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ clock: () => NOW, autoTick: false });
});
afterAll(async () => {
  await s?.close();
});

const emoji = (n: number) => '😀'.repeat(n);
let seq = 0;

function rest(agentId: string, model = 'm') {
  const record = { id: `r${++seq}`, agentId, model, inputTokens: 1, outputTokens: 1, costMicrodollars: 1, at: NOW };
  return s.post(`/api/towns/${s.townId}/usage`, { records: [record] });
}

/** One delta token point from `agent` (its resource's gt.agent), with `model` and one more attribute of `extra` characters. */
function otlp(
  agent: string,
  model = 'm',
  extra = '',
  name = 'claude_code.token.usage',
  value: Record<string, unknown> = { asInt: '1' },
) {
  const nanos = String(BigInt(NOW - ++seq) * 1_000_000n);
  const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
  const point = {
    timeUnixNano: nanos,
    ...value,
    attributes: [str('type', 'input'), str('model', model), ...(extra ? [str('note', extra)] : [])],
  };
  const metric = { name, sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [point] } };
  return s.post('/v1/metrics', {
    resourceMetrics: [{ resource: { attributes: [str('gt.agent', agent)] }, scopeMetrics: [{ metrics: [metric] }] }],
  });
}

async function agentIds(): Promise<string[]> {
  const r = await s.get(trpcPath('metrics.agents', { townId: s.townId, limit: 500 }));
  return r.body.result.data.agents.map((a: { id: string }) => a.id);
}

describe('256 characters of four UTF-8 bytes (512 UTF-16 units) is an id on REST and OTLP alike', () => {
  it('an agent of 256 emoji: stored by both; 257: refused by both', async () => {
    expect((await rest(emoji(256))).status).toBe(200);
    const ok = await otlp(`${emoji(255)}o`);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.partialSuccess).toBeUndefined();

    const restOver = await rest(emoji(257));
    expect(restOver.status).toBe(400);
    expect(restOver.body.error.path).toBe('records[0].agentId');
    const over = await otlp(`${emoji(256)}o`);
    expect(over.status, JSON.stringify(over.body)).toBe(200);
    expect(over.body.partialSuccess?.rejectedDataPoints).toBe(1);

    const ids = await agentIds();
    expect(ids).toContain(emoji(256));
    expect(ids).toContain(`${emoji(255)}o`);
    expect(ids).not.toContain(emoji(257));
    expect(ids).not.toContain(`${emoji(256)}o`);
  });

  it('a model of 256 emoji from OTLP is stored; 257 rejected', async () => {
    const ok = await otlp('model-agent', emoji(256));
    expect(ok.body.partialSuccess, JSON.stringify(ok.body)).toBeUndefined();
    const over = await otlp('model-agent', emoji(257));
    expect(over.body.partialSuccess?.rejectedDataPoints, JSON.stringify(over.body)).toBe(1);
  });

  it('an attribute of 1,024 emoji is within the 1,024-character bound; 1,025 is past it', async () => {
    const ok = await otlp('attr-agent', 'm', emoji(1024));
    expect(ok.body.partialSuccess, JSON.stringify(ok.body)).toBeUndefined();
    const over = await otlp('attr-agent', 'm', emoji(1025));
    expect(over.body.partialSuccess?.rejectedDataPoints, JSON.stringify(over.body)).toBe(1);
  });
});

/** A refused value is told the bound in the metric's own unit: a cost in USD is at most 10000, not 10000000000 (µ$). */
describe('an OTLP value out of range names its bound in the unit sent', () => {
  it('claude_code.cost.usage: 10000 USD is stored, 10000.01 refused "from 0 to 10000"', async () => {
    const cost = (asDouble: number) => otlp('cost-agent', 'm', '', 'claude_code.cost.usage', { asDouble });
    const ok = await cost(10_000);
    expect(ok.body.partialSuccess, JSON.stringify(ok.body)).toBeUndefined();
    const over = await cost(10_000.01);
    expect(over.body.partialSuccess).toEqual({
      rejectedDataPoints: 1,
      errorMessage: 'claude_code.cost.usage: a value must be a number from 0 to 10000',
    });
  });

  it('claude_code.token.usage (unscaled): past 1000000000 refused "from 0 to 1000000000"', async () => {
    const over = await otlp('token-agent', 'm', '', 'claude_code.token.usage', { asInt: '1000000001' });
    expect(over.body.partialSuccess?.errorMessage).toBe('claude_code.token.usage: a value must be a number from 0 to 1000000000');
  });
});

/** The control store's own checks count as the schemas before them do: a grant's note, a webhook URL. */
describe('a bound checked again in the control store counts characters as the schema did', () => {
  it('a grant note of 500 emoji is taken; 501 refused on note', async () => {
    const grant = (note: string) =>
      s.post('/trpc/billing.grant', { userName: 'admin', amountMicrodollars: 1, note }, s.adminToken);
    const ok = await grant(emoji(500));
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const over = await grant(emoji(501));
    expect(over.status, JSON.stringify(over.body)).toBe(400);
    expect(over.body.error.data.path).toBe('note');
  });

  it('a webhook URL of 2,000 characters, some of them emoji, is taken; 2,001 refused on webhookUrl', async () => {
    const url = (chars: number) => {
      const head = 'https://hooks.example.com/';
      return `${head}${emoji(100)}${'p'.repeat(chars - head.length - 100)}`;
    };
    const set = (webhookUrl: string) => s.post('/trpc/billing.setAlertSettings', { webhookUrl }, s.adminToken);
    const ok = await set(url(2000));
    expect(ok.status, JSON.stringify(ok.body).slice(0, 300)).toBe(200);
    const over = await set(url(2001));
    expect(over.status).toBe(400);
    expect(over.body.error.data.path).toBe('webhookUrl');
  });
});
