import { AppError } from '@gasgauge/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NOT_SPLIT, PIECE_BYTES, parseInPieces, parseJsonBytes } from './json-bytes.js';

/** What the API did before: the whole body decoded, then JSON.parse of it (pieces never smaller than the body). */
const reference = (bytes: Uint8Array) => parseJsonBytes(bytes, Number.POSITIVE_INFINITY);

/** A value spelled out with its key order, -0, own `__proto__` keys and prototypes: equal spellings, equal values. */
function spell(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(spell).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    if (Object.getPrototypeOf(v) !== Object.prototype) return '<not a plain object>';
    return `{${Reflect.ownKeys(v)
      .map((k) => `${JSON.stringify(String(k))}:${spell((v as Record<PropertyKey, unknown>)[k])}`)
      .join(',')}}`;
  }
  if (Object.is(v, -0)) return '-0';
  return JSON.stringify(v);
}

function outcome(parse: () => unknown): string {
  try {
    return `ok ${spell(parse())}`;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return `refused ${err.message} (${String(err.path)})`;
  }
}

const encoder = new TextEncoder();
function sameAsReference(bytes: Uint8Array, piece: number): void {
  expect(outcome(() => parseJsonBytes(bytes, piece))).toBe(outcome(() => reference(bytes)));
}

/** Strings made of what a cut could be fooled by: braces, commas, quotes, backslashes, non-ASCII. */
const tricky = fc.string({ unit: fc.constantFrom('}', ',', '{', '"', '\\', 'a', 'é', '\ud83d\ude00'), maxLength: 6 });
/** Now and then a lone surrogate, which the API refuses. */
const trickier = fc.oneof({ weight: 30, arbitrary: tricky }, { weight: 1, arbitrary: fc.constant('\ud800') });
const small = fc.oneof(fc.integer(), fc.double(), trickier, fc.boolean(), fc.constant(null));
/** A record: an `id` first, as records start alike; a few keys more, values small or one level of objects (nested `},{` too, some starting with `id`). */
const record = fc
  .tuple(
    small,
    fc.dictionary(
      fc.oneof(tricky, fc.constant('__proto__'), fc.constant('id')),
      fc.oneof(
        { weight: 4, arbitrary: small },
        {
          weight: 1,
          arbitrary: fc.array(
            fc.dictionary(fc.oneof({ weight: 9, arbitrary: tricky }, { weight: 1, arbitrary: fc.constant('id') }), small, {
              maxKeys: 2,
            }),
            { maxLength: 2 },
          ),
        },
      ),
      { maxKeys: 3 },
    ),
  )
  .map(
    ([id, rest]) =>
      JSON.parse(
        `{"id":${JSON.stringify(id)}${JSON.stringify(rest).slice(1) === '}' ? '}' : `,${JSON.stringify(rest).slice(1)}`}`,
      ) as unknown,
  );
/** A batch as clients send one: compact, its bulk one array of objects (what is parsed in pieces). */
const batch = fc
  .tuple(fc.array(record, { minLength: 3, maxLength: 40 }), fc.boolean())
  .map(([records, wrapped]) => (wrapped ? { records, n: records.length } : records));

/** JSON text of a value with whitespace of every kind between tokens, or of a batch, compact. */
const spacedJson = fc.oneof(
  fc
    .tuple(fc.jsonValue({ maxDepth: 4 }), fc.constantFrom(undefined, 0, 1, 2, '\t', ' \r\n'))
    .map(([v, indent]) => JSON.stringify(v, null, indent)),
  batch.map((v) => JSON.stringify(v)),
);

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

describe('parseJsonBytes: a big body parsed in pieces, as JSON.parse of the whole', () => {
  it('answers as JSON.parse of the whole on generated texts, with pieces down to a few bytes', () => {
    fc.assert(
      fc.property(spacedJson, fc.integer({ min: 1, max: 96 }), (text, piece) => {
        sameAsReference(encoder.encode(text), piece);
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('splits many generated batches: the tests above do reach the pieces', () => {
    let split = 0;
    let tried = 0;
    fc.assert(
      fc.property(batch, fc.integer({ min: 64, max: 256 }), (v, piece) => {
        const bytes = encoder.encode(JSON.stringify(v));
        if (bytes.length <= piece * 2) return;
        tried++;
        try {
          if (parseInPieces(bytes, piece) !== NOT_SPLIT) split++;
        } catch {
          // A cut inside a string: the caller parses the whole text.
        }
      }),
      { numRuns: 500, seed: 20_261_204 }, // fixed: the share below is a property of the generator, not a gamble
    );
    expect(tried).toBeGreaterThan(100);
    // About half split (the rest hold a lone surrogate, or a cut falls in a nested array): far from none.
    expect(split / tried).toBeGreaterThan(0.25);
  });

  it('refuses what JSON.parse of the whole refuses, and names the same cause, on mutated texts', () => {
    const bytesOf = fc.constantFrom(...'{}[],:"\\ \n0-eE.tfnu\u00e9\ud83d\ude00'.split('').map((c) => encoder.encode(c)));
    const mutation = fc.tuple(fc.nat(), fc.nat(3), bytesOf, fc.constantFrom(0xff, 0xc3, 0xed, 0x00));
    fc.assert(
      fc.property(
        spacedJson,
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 64 }),
        (text, muts, piece) => {
          const bytes = [...encoder.encode(text)];
          for (const [pos, kind, token, raw] of muts) {
            const at = bytes.length === 0 ? 0 : pos % bytes.length;
            if (kind === 0)
              bytes.splice(at, 0, ...token); // insert a token's bytes
            else if (kind === 1)
              bytes.splice(at, 0, raw); // insert a stray (often invalid UTF-8) byte
            else if (kind === 2)
              bytes.splice(at, 1); // delete a byte
            else bytes.splice(at, 1, ...token); // replace a byte with a token
          }
          sameAsReference(Uint8Array.from(bytes), piece);
        },
      ),
      { numRuns: RUNS * 3 },
    );
  });

  it('keeps JSON.parse semantics a piecewise build could lose', () => {
    const cases = [
      '{"__proto__": {"polluted": 1}, "a": [1, 2, 3, 4, 5, 6, 7, 8]}',
      '{"a": 1, "b": [1, 2, 3, 4, 5, 6, 7, 8, 9], "a": 2}', // a repeated key: first place, last value
      '{"2": "x", "1": "y", "b": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]}',
      '[-0, 1e400, 0.1, 5e-324, "\\ud800", "\\ud83d\\ude00"]',
      '\ufeff[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]', // a BOM starts the text
      '[1, 2, 3, 4, 5, 6, 7, 8, 9]\ufeff',
      `[${' '.repeat(40)}}`,
      `{${' '.repeat(40)}]`,
      '[1, 2, 3, 4, 5, 6, 7, 8, 9,]',
      '[1, 2, 3, 4, 5, 6, 7, 8, 9] [1]',
      '["a\\\\", "b\\\\\\"", "c", "d", "e", "f", "g"]',
      '{"a" 1, "bbbbbbbbbbbbbbbbbbbbbbb": 2}',
      '',
      '   ',
      // Cuts a `},{` inside a string, in a nested array, or in two different arrays would make.
      '[{"a":"},{"},{"b":"},{"},{"c":1},{"d":2},{"e":3}]',
      '{"x":[{"a":1},{"b":2},{"c":3}],"y":[{"d":4},{"e":5},{"f":6}]}',
      '[{"a":[{"b":1},{"c":2},{"d":3},{"e":4}]},{"f":5},{"g":6}]',
      '[{"a":1},{"b":2},{"c":3},{"d":4},{"e":5}',
      '[{"a":1},{"b":2},{"c":3},{"d":4},{"e":5}]]',
      '[{"a":1},{"b":2},{"c":3},{"d":4},{"e":5}],',
      '{"k":{"a":1},{"b":2},{"c":3},{"d":4}}',
      '[{"a":"\\"},{"b":"\\\\"},{"c":"\\""},{"d":4}]',
      '[{"a":1},{"b":2},"gg-splice-00",{"c":3},{"d":4},{"e":5}]',
      // Elements starting alike (the cuts' signature), with no comma, or another byte, between two of them.
      '[{"id":1},{"id":2}{"id":3},{"id":4},{"id":5},{"id":6}]',
      '[{"id":1},{"id":2}x{"id":3},{"id":4}]{"id":5},{"id":6}]',
      '[{"id":1},{"id":2} {"id":3} {"id":4},{"id":5},{"id":6}]',
      '[{"id":1} ,{"id":2},{"id":3}, {"id":4},{"id":5},{"id":6}]',
      '[{"a":1},{"b":"\ud800"},{"c":3},{"d":4},{"e":5}]',
    ];
    for (const text of cases) for (const piece of [1, 4, 16]) sameAsReference(encoder.encode(text), piece);
    // Invalid UTF-8 in a later piece than a JSON error: the UTF-8 error is named, as the whole decode names it.
    const both = encoder.encode(`[1, 2, 3, x, 4, 5, 6, 7, "${'\u00e9'}"]`);
    both[both.length - 3] = 0xff;
    sameAsReference(both, 4);
  });

  it('parses a real 500-record batch (over PIECE_BYTES) in pieces, to the same value', () => {
    const records = Array.from({ length: 500 }, (_, i) => ({
      id: `msg_${i.toString(36).padStart(24, '0')}`,
      agentId: `agent-${i % 16}`,
      model: 'claude-sonnet-4-5',
      inputTokens: 1000 + i,
      outputTokens: 200,
      costMicrodollars: 9000 + i,
      at: 1_764_800_000_000 + i,
      mode: 'delta',
    }));
    const bytes = encoder.encode(JSON.stringify({ records }));
    expect(bytes.length).toBeGreaterThan(PIECE_BYTES);
    sameAsReference(bytes, PIECE_BYTES);
  });
});
