import fc from 'fast-check';
import parsePrometheus from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { formatOpenMetrics } from './openmetrics.js';

/** Names made of the characters a text format could trip on (escapes, label syntax, bidi controls) and any grapheme. */
const agentName = fc.string({
  unit: fc.oneof(
    fc.constantFrom('\\', '"', '\n', '\r', '\u202e', '\u2066', '}', '{', ',', '=', ' ', '#'),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
  ),
  minLength: 1,
  maxLength: 256,
});

describe('formatOpenMetrics', () => {
  it('round-trips any label value through a Prometheus text parser, on one line per sample', () => {
    fc.assert(
      fc.property(fc.uniqueArray(agentName, { minLength: 1, maxLength: 5 }), (agents) => {
        const text = formatOpenMetrics([
          {
            name: 'x_tokens',
            type: 'counter',
            unit: 'tokens',
            help: 'help with \\ and\nnewline',
            samples: agents.map((agent, i) => ({ labels: [['agent', agent] as const], value: i })),
          },
        ]);
        const lines = text.split('\n');
        expect(lines.filter((l) => l.startsWith('x_tokens_total'))).toHaveLength(agents.length);
        expect(lines.at(-2)).toBe('# EOF');
        const [family] = parsePrometheus(text).filter((f) => f.metrics.length > 0);
        expect(family?.metrics.map((m) => m.labels?.agent)).toEqual(agents);
      }),
      { numRuns: 300, seed: 13 },
    );
  });

  it('refuses a family whose name does not end in its unit', () => {
    expect(() => formatOpenMetrics([{ name: 'x_cost', type: 'gauge', unit: 'microdollars', help: '', samples: [] }])).toThrow(
      /must end in _microdollars/,
    );
  });
});
