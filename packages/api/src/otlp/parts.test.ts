import { describe, expect, it } from 'vitest';
import { metricsToRecords } from './metrics.js';

const point = (kindAttribute: string, kind: string, value: number) => ({
  attributes: [
    { key: kindAttribute, value: { stringValue: kind } },
    { key: 'model', value: { stringValue: 'm' } },
  ],
  asInt: value,
  startTimeUnixNano: '1795608000000000000',
  timeUnixNano: '1795608001000000000',
});
const body = (name: string, kindAttribute: string, kinds: [string, number][]) => ({
  resourceMetrics: [
    {
      resource: { attributes: [{ key: 'gt.agent', value: { stringValue: 'polecat-1' } }] },
      scopeMetrics: [
        {
          metrics: [
            {
              name,
              sum: {
                aggregationTemporality: 1,
                isMonotonic: true,
                dataPoints: kinds.map(([k, v]) => point(kindAttribute, k, v)),
              },
            },
          ],
        },
      ],
    },
  ],
});
const sum = (records: { inputTokens: number; outputTokens: number; reasoningTokens: number; cacheReadTokens: number }[]) =>
  records.reduce((t, r) => t + r.inputTokens + r.outputTokens + r.reasoningTokens + r.cacheReadTokens, 0);

describe('token kinds that are part of another kind count once', () => {
  it('Codex: cached input is inside input and reasoning inside output', async () => {
    const out = await metricsToRecords(
      body('codex.turn.token_usage', 'token_type', [
        ['input', 100],
        ['cached_input', 40],
        ['output', 30],
        ['reasoning_output', 10],
        ['total', 130],
      ]),
      undefined,
    );
    expect(out.rejected).toBe(0);
    expect(sum(out.records as never)).toBe(130);
  });

  it('Gemini: cached tokens are inside input', async () => {
    const out = await metricsToRecords(
      body('gemini_cli.token.usage', 'type', [
        ['input', 100],
        ['cache', 60],
        ['output', 20],
        ['thought', 5],
      ]),
      undefined,
    );
    expect(out.rejected).toBe(0);
    expect(sum(out.records as never)).toBe(125);
  });
});
