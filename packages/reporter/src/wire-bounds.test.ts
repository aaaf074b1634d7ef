import { townEvent, usageRecord } from '@gasgauge/api/ingest-schemas';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_EPOCH_MS, MAX_ID_LENGTH, MAX_RECORD_COST_MICRODOLLARS, MAX_RECORD_TOKENS, recordProblem } from './wire.js';

/*
 * The reporter puts a record the API's per-record bounds refuse in the dead-letter file unsent (wire.ts
 * recordProblem), without asking the server. Its copy of those bounds must never be stricter than the API's:
 * a record the API takes and the reporter kept back is a record lost. Checked against the API's own schemas
 * on values at and around every bound.
 */
const edge = (max: number) => fc.constantFrom(0, 1, max - 1, max, max + 1, -1, 0.5, 2 ** 53, Number.NaN);
const text = fc.oneof(
  fc.string({ minLength: 0, maxLength: 3 }),
  fc.integer({ min: MAX_ID_LENGTH - 2, max: MAX_ID_LENGTH + 2 }).map((n) => 'x'.repeat(n)),
  // Characters of two UTF-16 units: the API and the reporter count units alike (String length).
  fc.integer({ min: 126, max: 130 }).map((n) => '😀'.repeat(n)),
);

describe("the reporter's copy of the API's per-record bounds", () => {
  it('never refuses a usage record the API takes', () => {
    fc.assert(
      fc.property(
        fc.record({
          id: text,
          agentId: text,
          model: text,
          session: fc.option(text, { nil: undefined }),
          inputTokens: edge(MAX_RECORD_TOKENS),
          outputTokens: edge(MAX_RECORD_TOKENS),
          cacheReadTokens: edge(MAX_RECORD_TOKENS),
          costMicrodollars: edge(MAX_RECORD_COST_MICRODOLLARS),
          at: edge(MAX_EPOCH_MS),
          mode: fc.constant('delta'),
        }),
        (r) => {
          const record = Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined));
          if (usageRecord.safeParse(record).success) expect(recordProblem('usage', record)).toBeUndefined();
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never refuses an agent or bead event the API takes', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({
            id: text,
            at: edge(MAX_EPOCH_MS),
            type: fc.constant('agent'),
            agentId: text,
            role: text,
            status: fc.constant('working'),
          }),
          fc.record({
            id: text,
            at: edge(MAX_EPOCH_MS),
            type: fc.constant('bead'),
            beadId: text,
            status: fc.constant('open'),
            title: fc.integer({ min: 998, max: 1002 }).map((n) => 't'.repeat(n)),
            parentId: text,
          }),
        ),
        (event) => {
          if (townEvent.safeParse(event).success) expect(recordProblem('event', event)).toBeUndefined();
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('refuses, as the API does, each bound passed by one', () => {
    const ok = { id: 'r1', agentId: 'a', model: 'm', inputTokens: 1, outputTokens: 1, costMicrodollars: 1, at: 1, mode: 'delta' };
    for (const over of [
      { inputTokens: MAX_RECORD_TOKENS + 1 },
      { costMicrodollars: MAX_RECORD_COST_MICRODOLLARS + 1 },
      { at: MAX_EPOCH_MS + 1 },
      { model: 'm'.repeat(MAX_ID_LENGTH + 1) },
      { agentId: '' },
    ]) {
      const record = { ...ok, ...over };
      expect(usageRecord.safeParse(record).success, JSON.stringify(over)).toBe(false);
      expect(recordProblem('usage', record), JSON.stringify(over)).toBeDefined();
    }
    expect(recordProblem('usage', ok)).toBeUndefined();
  });
});
