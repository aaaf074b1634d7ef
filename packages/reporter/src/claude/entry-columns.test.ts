import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Chunk, ReadEntry } from './chunk.js';
import { packChunk, unpackChunk } from './entry-columns.js';

/** Any string a transcript may hold, lone surrogates included; absent as often as not. */
const text = fc.option(fc.string({ unit: 'binary' }), { nil: undefined });
const count = fc.maxSafeInteger().map(Math.abs);

const entry: fc.Arbitrary<ReadEntry> = fc
  .record({
    messageId: text,
    requestId: text,
    sessionId: text,
    sidechain: fc.boolean(),
    model: text,
    at: fc.integer({ min: 0, max: 10_000_000_000_000 }),
    cwd: text,
    costUSD: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: undefined }),
    input: count,
    output: count,
    cacheRead: count,
    cacheWrite5m: count,
    cacheWrite1h: count,
    cacheWrite: count,
    speedSet: fc.boolean(),
    fast: fc.boolean(),
    fromProgress: fc.boolean(),
    lineDigest: text,
  })
  .map(({ lineDigest, ...e }) => (lineDigest === undefined ? e : { ...e, lineDigest }));

/** A few sessions, models and directories shared among a chunk's entries, as a transcript's are. */
const sharing = fc.array(entry, { maxLength: 40 }).chain((entries) =>
  fc.array(fc.nat(), { minLength: entries.length, maxLength: entries.length }).map((picks) =>
    entries.map((e, i) => {
      const from = entries[(picks[i] as number) % entries.length] as ReadEntry;
      return { ...e, sessionId: from.sessionId, model: from.model, cwd: from.cwd };
    }),
  ),
);

function chunkOf(entries: ReadEntry[]): Chunk {
  return { path: '/t/a.jsonl', st: { ino: 7, size: 900 }, start: 10, end: 900, entries, merged: 3, malformed: 1, done: false };
}

describe('a chunk posted as columns', () => {
  it('comes back as the chunk it was, through the structured clone a worker message takes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.array(entry, { maxLength: 40 }), sharing), (entries) => {
        const chunk = chunkOf(entries);
        expect(unpackChunk(structuredClone(packChunk(chunk)))).toStrictEqual(chunk);
      }),
      { numRuns: 300 },
    );
  });

  it('sends a session, model or directory its entries share once', () => {
    const e = (id: string): ReadEntry => ({
      messageId: id,
      requestId: `r-${id}`,
      sessionId: 's1',
      sidechain: false,
      model: 'claude-sonnet-4-5',
      at: 1,
      cwd: '/work/town/rig/polecats/p1',
      costUSD: undefined,
      input: 1,
      output: 2,
      cacheRead: 0,
      cacheWrite5m: 0,
      cacheWrite1h: 0,
      cacheWrite: 0,
      speedSet: false,
      fast: false,
      fromProgress: false,
    });
    const packed = packChunk(chunkOf([e('m1'), e('m2'), e('m3')]));
    expect(packed.columns.shared).toEqual(['s1', 'claude-sonnet-4-5', '/work/town/rig/polecats/p1']);
    expect('entries' in packed).toBe(false);
  });
});
