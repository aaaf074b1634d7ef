import { MAX_RECORD_COST_MICRODOLLARS, MAX_RECORD_TOKENS } from '@gasgauge/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_EPOCH_MS, usageBody, usageRecord } from './schemas.js';
import { fastUsageBody } from './usage-fast.js';

/** A well-formed record, so the property also checks that the fast path takes the bodies it is for. */
const VALID_FIELDS = {
  id: fc.constantFrom('msg_1', 'x'.repeat(256)),
  agentId: fc.constant('agent-1'),
  model: fc.constant('claude-sonnet-4-5'),
  provider: fc.constant('anthropic'),
  inputTokens: fc.integer({ min: 0, max: MAX_RECORD_TOKENS }),
  outputTokens: fc.integer({ min: 0, max: MAX_RECORD_TOKENS }),
  reasoningTokens: fc.integer({ min: 0, max: MAX_RECORD_TOKENS }),
  cacheReadTokens: fc.integer({ min: 0, max: MAX_RECORD_TOKENS }),
  cacheWriteTokens: fc.integer({ min: 0, max: MAX_RECORD_TOKENS }),
  costMicrodollars: fc.integer({ min: 0, max: MAX_RECORD_COST_MICRODOLLARS }),
  at: fc.integer({ min: 0, max: MAX_EPOCH_MS }),
  mode: fc.constantFrom('delta', 'cumulative'),
  beadId: fc.constant('bead-1'),
  session: fc.constantFrom('0b3f1c2e-5d6a-4e7b-8c9d-0a1b2c3d4e5f', 'x'.repeat(256)),
};
const valid = fc.record(VALID_FIELDS, {
  requiredKeys: ['id', 'agentId', 'model', 'inputTokens', 'outputTokens', 'costMicrodollars', 'at'],
});

const FIELDS = [...Object.keys(usageRecord.shape), 'extra'];
/** Values at and past every bound and of every JSON type, so both validators see the edges. */
const VALUES = [
  ...[0, -0, 1, -1, 1.5, 2 ** 53, MAX_RECORD_TOKENS, MAX_RECORD_COST_MICRODOLLARS, MAX_EPOCH_MS].flatMap((n) => [n, n + 1]),
  ...['', 'x'.repeat(256), 'x'.repeat(257), 'otlp_1', 'otlp', 'delta', 'cumulative', 'other', '5'],
  ...[null, true, false, [], {}],
];

/** A valid record with one field changed to an edge value or removed (or an unknown field added). */
const mutated = fc
  .tuple(valid, fc.constantFrom(...FIELDS), fc.option(fc.constantFrom(...VALUES), { nil: undefined }))
  .map(([r, field, value]) => {
    const out: Record<string, unknown> = { ...r };
    if (value === undefined) delete out[field];
    else out[field] = value;
    return out;
  });

describe('the hand-written usage body check', () => {
  it('accepts only what zod accepts, with the same output', () => {
    const body = fc.oneof(
      fc.record({ records: fc.array(fc.oneof(mutated, valid), { maxLength: 3 }) }),
      fc.record(
        { records: fc.array(valid, { minLength: 1, maxLength: 3 }), extra: fc.constant(1) },
        { requiredKeys: ['records'] },
      ),
      fc.constantFrom(null, [], 'x', { records: {} }, { records: [] }),
    );
    fc.assert(
      fc.property(body, (input) => {
        const json: unknown = JSON.parse(JSON.stringify(input));
        const fast = fastUsageBody(json);
        const zod = usageBody.safeParse(json);
        if (fast !== undefined) expect(zod).toEqual({ success: true, data: fast });
      }),
      { numRuns: 5000 },
    );
  });

  it('takes every body zod accepts, so a valid batch never pays for zod', () => {
    fc.assert(
      fc.property(fc.array(valid, { minLength: 1, maxLength: 5 }), (records) => {
        const json: unknown = JSON.parse(JSON.stringify({ records }));
        expect(fastUsageBody(json)).toEqual(usageBody.parse(json));
      }),
    );
  });

  it('knows every field of the schema (a new field must be added to the hand check too)', () => {
    expect(Object.keys(VALID_FIELDS).sort()).toEqual(Object.keys(usageRecord.shape).sort());
  });

  it('leaves a "__proto__" key to zod', () => {
    const json: unknown = JSON.parse(
      '{"records":[{"id":"m","agentId":"a","model":"x","inputTokens":1,"outputTokens":1,"costMicrodollars":1,"at":1,"__proto__":{}}]}',
    );
    expect(fastUsageBody(json)).toBeUndefined();
    expect(usageBody.safeParse(json).success).toBe(false);
  });
});
