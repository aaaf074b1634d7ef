import fc from 'fast-check';

/**
 * Generators for the fuzz test: inputs shaped like the zod schemas with one thing wrong, and
 * arbitrary JSON and bytes beyond them. A body is sent as JSON text (`json`) or raw bytes (`bytes`).
 */
export type Body = { json: string } | { bytes: Uint8Array };

/** JSON text nested `depth` levels deep. */
const deep = (depth: number, open: string, close: string) => `${open.repeat(depth)}1${close.repeat(depth)}`;

/**
 * Raw JSON text spliced in after stringify: numbers JSON.stringify cannot write, and nesting too deep
 * for a recursive stringify (JSON.parse on the server takes it).
 */
const RAW_TEXTS = [
  '1e400',
  '-1e400',
  '-0',
  '1E+2',
  '0.0000000000000000000001',
  '123456789012345678901234567890',
  ...[10, 100, 1000, 10_000, 100_000].flatMap((d) => [deep(d, '[', ']'), deep(d, '{"a":', '}')]),
];
const RAW = (i: number) => `\u0000raw${i}\u0000`;

export const DANGEROUS_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty'];

/** JSON nested 10 to 100,000 levels deep (valid where any JSON is, such as a note's `data`). */
export const deepJson: fc.Arbitrary<string> = fc.integer({ min: 6, max: RAW_TEXTS.length - 1 }).map(RAW);

/** Numbers a schema may not expect: huge, negative, fractional, unsafe, and NaN-like strings. */
const nastyNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    -1,
    0.5,
    -0.000001,
    1e308,
    -1e308,
    2 ** 53,
    2 ** 53 + 2,
    2 ** 31,
    2 ** 32,
    2 ** 63,
    1_000_000_001,
    1_000_000_000_001,
    10_000_000_000_001,
    Number.MIN_VALUE,
    Number.MAX_SAFE_INTEGER,
    -Number.MAX_SAFE_INTEGER,
    'NaN',
    'Infinity',
    '1e3',
    '',
  ),
  fc.integer({ min: 0, max: 5 }).map(RAW),
  fc.double(),
  fc.integer(),
  fc.maxSafeInteger(),
);

/** Strings a schema may not expect: long, unicode, lone surrogates, NUL, dangerous names. */
const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    ...DANGEROUS_KEYS,
    'gasgauge:x',
    '',
    ' ',
    '\u0000',
    '\ud800',
    '\udfff',
    'a\u202eb',
    '../../etc/passwd',
    "'; DROP TABLE x; --",
  ),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(64, 65, 256, 257, 1000, 1001, 2000, 2001, 100_000).map((n) => 'x'.repeat(n)),
  fc.constantFrom(256, 257).map((n) => '€'.repeat(n)),
);

/** Any value where a field's value goes. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: nastyNumber },
  { weight: 3, arbitrary: nastyString },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [1], { x: 1 }) },
  { weight: 1, arbitrary: deepJson },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

type Path = (string | number)[];

/** Every path into a JSON value (containers too), root excluded. */
function paths(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (value === null || typeof value !== 'object') return out;
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  for (const [k, v] of entries) {
    out.push([...prefix, k]);
    paths(v, [...prefix, k], out);
  }
  return out;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** The container holding `path`'s last key. */
function parentOf(root: unknown, path: Path): Record<string | number, unknown> {
  let v = root as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) v = v[k] as Record<string | number, unknown>;
  return v;
}

/** What to do to one place of a valid value. */
type Mutation =
  | { kind: 'set'; at: number; value: unknown }
  | { kind: 'delete'; at: number }
  | { kind: 'extraKey'; at: number; key: string; value: unknown }
  | { kind: 'grow'; at: number; length: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: nastyValue }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('extraKey' as const),
      at: fc.nat(),
      key: fc.oneof(fc.constantFrom(...DANGEROUS_KEYS), fc.string({ maxLength: 10 })),
      value: nastyValue,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('grow' as const), at: fc.nat(), length: fc.constantFrom(0, 5000, 5001) }),
  },
);

/** Applies a mutation to a copy of `valid`; `at` picks the place (the root for extra keys counts too). */
function mutate(valid: unknown, m: Mutation): unknown {
  if (valid === undefined) return m.kind === 'set' ? m.value : undefined; // a procedure without input
  const root = clone(valid);
  const all = paths(root);
  if (m.kind === 'grow') {
    // Arrays at and over their max length, filled with copies of their first element.
    const arrays = all.filter((p) => Array.isArray(parentOf(root, [...p, 0])));
    const p = arrays[m.at % Math.max(arrays.length, 1)];
    if (!p) return root;
    const arr = parentOf(root, [...p, 0]) as unknown as unknown[];
    const first = arr[0];
    arr.length = 0;
    for (let i = 0; i < m.length; i++) arr.push(first);
    return root;
  }
  if (m.kind === 'extraKey') {
    const objects: Path[] = [[], ...all].filter((p) => {
      const v = p.length === 0 ? root : parentOf(root, p)[p[p.length - 1] as string];
      return v !== null && typeof v === 'object' && !Array.isArray(v);
    });
    const p = objects[m.at % objects.length] as Path;
    const target = (p.length === 0 ? root : parentOf(root, p)[p[p.length - 1] as string]) as Record<string, unknown>;
    // defineProperty, so `__proto__` becomes an own key that JSON.stringify sends.
    Object.defineProperty(target, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
    return root;
  }
  if (all.length === 0) return m.kind === 'set' ? m.value : root;
  const p = all[m.at % all.length] as Path;
  const parent = parentOf(root, p);
  const key = p[p.length - 1] as string | number;
  if (m.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else Object.defineProperty(parent, key, { value: m.value, enumerable: true, writable: true, configurable: true });
  return root;
}

/** JSON text, with the raw markers replaced by their text. */
export function toJson(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0000raw(\d+)\\u0000"/g, (_, i: string) => RAW_TEXTS[Number(i)] as string);
}

/** A valid value with one thing wrong (or nothing: the valid value itself, one in four). */
export function shaped(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 1, arbitrary: valid },
    { weight: 3, arbitrary: fc.tuple(valid, mutation).map(([v, m]) => mutate(v, m)) },
  );
}

/** Bodies beyond the schema: arbitrary JSON, and bytes that are mostly not JSON (nor UTF-8). */
export const wildBody: fc.Arbitrary<Body> = fc.oneof(
  fc.jsonValue().map((v) => ({ json: JSON.stringify(v) ?? 'null' })),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => ({ bytes })),
  fc.string({ unit: 'binary', maxLength: 200 }).map((json) => ({ json })),
  fc.constantFrom('', '{', '[', '{"records":', 'null', '"x"', '1e400', '{"__proto__":{"x":1}}').map((json) => ({ json })),
);

/** A body for an ingest route or a mutation: shaped like `valid` most of the time, wild otherwise. */
export function body(valid: fc.Arbitrary<unknown>): fc.Arbitrary<Body> {
  return fc.oneof({ weight: 3, arbitrary: shaped(valid).map((v) => ({ json: toJson(v) })) }, { weight: 1, arbitrary: wildBody });
}
