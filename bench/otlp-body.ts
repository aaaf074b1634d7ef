import { OTLP } from '../packages/api/src/otlp/schema.js';

/**
 * One 1-second Claude Code metrics export from `agents` agents, as Gas Town configures it (delta,
 * http/protobuf): per agent, `claude_code.token.usage` for input, output, cacheRead and cacheCreation
 * and `claude_code.cost.usage`, all of one session and model: 5 data points per agent.
 */
export const POINTS_PER_AGENT = 5;
const TYPES = ['input', 'output', 'cacheRead', 'cacheCreation'];

export function otlpExport(agents: number, now = Date.now()): Uint8Array {
  const ns = (ms: number) => String(BigInt(ms) * 1_000_000n);
  const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
  const sum = (points: object[]) => ({ aggregationTemporality: 1, isMonotonic: true, dataPoints: points });
  const resourceMetrics = Array.from({ length: agents }, (_, a) => {
    const attrs = [str('session.id', `sess-${a}`), str('model', 'claude-sonnet-4-5')];
    const point = (extra: object[], value: object) => ({
      attributes: [...attrs, ...extra],
      startTimeUnixNano: ns(now - 1000),
      timeUnixNano: ns(now),
      ...value,
    });
    return {
      resource: {
        attributes: [str('service.name', 'claude-code'), str('gt.town', 'bench'), str('gt.agent', `polecat-${a}`)],
      },
      scopeMetrics: [
        {
          scope: { name: 'com.anthropic.claude_code', version: '2.0.0' },
          metrics: [
            {
              name: 'claude_code.token.usage',
              sum: sum(TYPES.map((t, i) => point([str('type', t)], { asInt: String(100 * (i + 1) + a) }))),
            },
            { name: 'claude_code.cost.usage', sum: sum([point([], { asDouble: 0.0123 })]) },
          ],
        },
      ],
    };
  });
  return OTLP.metricsRequest.encode(OTLP.metricsRequest.fromObject({ resourceMetrics })).finish();
}
