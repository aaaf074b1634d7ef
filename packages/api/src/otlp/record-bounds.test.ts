import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { otlpActivityRecord, otlpUsageRecord } from '../ingest/schemas.js';
import { plainActivity, plainUsage } from './record-bounds.js';

/** The plain checks skip the schema only for records it accepts: they must never pass one it refuses. */
/** Mostly values within the bounds, so that records with one field past them, the others within, are common. */
const text = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'p'.repeat(256), '😀'.repeat(256)) },
  { weight: 1, arbitrary: fc.constantFrom('', 'p'.repeat(257), '😀'.repeat(257)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const amount = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 0, max: 1_000_000_000 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(-0, -1, 0.5, 1_000_000_001, 10_000_000_000, 10_000_000_001, 2 ** 53, Number.NaN),
  },
  { weight: 1, arbitrary: fc.constantFrom(Number.POSITIVE_INFINITY, 10_000_000_000_000, 10_000_000_000_001) },
);
const id = fc.oneof(
  text,
  text.map((t) => `otlp_${t}`),
);

describe('plainUsage and plainActivity never accept what the schemas refuse', () => {
  it('usage records', () => {
    fc.assert(
      fc.property(
        fc.record({
          id,
          agentId: text,
          model: text,
          provider: maybe(text),
          beadId: maybe(text),
          inputTokens: amount,
          outputTokens: amount,
          reasoningTokens: amount,
          cacheReadTokens: amount,
          cacheWriteTokens: amount,
          costMicrodollars: amount,
          at: amount,
          mode: fc.constantFrom('delta', 'cumulative', 'cumulative', 'other') as fc.Arbitrary<'delta'>,
        }),
        (r) => {
          if (plainUsage(r)) expect(otlpUsageRecord.safeParse(r).success, JSON.stringify(r).slice(0, 300)).toBe(true);
        },
      ),
      { numRuns: 3000, seed: 26 },
    );
  });

  it('activity records', () => {
    fc.assert(
      fc.property(
        fc.record({
          id,
          agentId: text,
          kind: fc.constant('commits' as const),
          value: amount,
          at: amount,
          mode: fc.constant('delta' as const),
        }),
        (r) => {
          if (plainActivity(r)) expect(otlpActivityRecord.safeParse(r).success, JSON.stringify(r)).toBe(true);
        },
      ),
      { numRuns: 3000, seed: 26 },
    );
  });

  it('a typical record passes the plain check (the schema is not run for it)', () => {
    const r = {
      id: 'otlp_abc',
      agentId: 'claude-code',
      model: 'claude-sonnet-4-5',
      provider: 'anthropic',
      inputTokens: 1,
      outputTokens: 2,
      reasoningTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costMicrodollars: 3,
      at: 1_795_608_000_000,
      mode: 'delta' as const,
      sources: [{ key: 'k', name: 'metrics' }],
    };
    expect(plainUsage(r)).toBe(true);
    expect(plainActivity({ id: 'otlp_a', agentId: 'a', kind: 'commits', value: 1, at: 1, mode: 'delta' })).toBe(true);
  });
});
