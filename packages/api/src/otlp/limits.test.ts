import { AppError } from '@gasgauge/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../http/json-depth.js';
import { decodeOtlp, type Encoding } from './decode.js';
import {
  boundJsonText,
  MAX_OTLP_JSON_VALUES,
  MAX_OTLP_LIST_ATTRIBUTES,
  MAX_OTLP_MESSAGES,
  MAX_OTLP_POINTS,
  MAX_OTLP_VALUE_DEPTH,
} from './limits.js';
import { OTLP } from './schema.js';
import {
  claudeCodeLogs,
  claudeCodeLogsJson,
  deepAnyValue,
  field,
  JSON_SHAPES,
  leastDecodeMs,
  raw,
  repeat,
  SHAPES,
  str,
} from './testing/hostile.js';

/*
 * Each bound of limits.ts at its edge, in both encodings, and the CPU an export can cost: every hostile
 * shape, and random bodies up to the 1 MiB body cap, decode or are refused within a few times what a
 * real export of 1 MiB costs. Ratios only: absolute targets live in `npm run bench`.
 */
const MiB = 1 << 20;
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** The path of the 400 decoding refuses `bytes` with, or 'ok'. */
function outcome(signal: 'logs' | 'metrics', bytes: Uint8Array, encoding: Encoding): string {
  try {
    decodeOtlp(signal === 'logs' ? OTLP.logsRequest : OTLP.metricsRequest, bytes, encoding);
    return 'ok';
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    expect(err.status).toBe(400);
    return String(err.path);
  }
}

const empties = (n: number) => Array.from({ length: n }, () => ({}));
/** `n` messages in all: the request, a resource, a scope, then records of empty attributes (at most a list's bound each). */
function messages(n: number): unknown {
  const attributes = n - 3;
  const records = Math.ceil(attributes / (MAX_OTLP_LIST_ATTRIBUTES + 1));
  const per = Math.floor((attributes - records) / records);
  const extra = attributes - records - per * records;
  const logRecords = Array.from({ length: records }, (_, i) => ({ attributes: empties(per + (i < extra ? 1 : 0)) }));
  return { resourceLogs: [{ scopeLogs: [{ logRecords }] }] };
}
const nested = (kind: 'arrayValue' | 'kvlistValue', depth: number): unknown =>
  depth === 0
    ? { stringValue: 'x' }
    : kind === 'arrayValue'
      ? { arrayValue: { values: [nested(kind, depth - 1)] } }
      : { kvlistValue: { values: [{ key: 'k', value: nested(kind, depth - 1) }] } };
const withBody = (body: unknown) => ({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body }] }] }] });

interface Edge {
  name: string;
  signal: 'logs' | 'metrics';
  body: (n: number) => unknown;
  limit: number;
  path: string;
  /** JSON's own bound (MAX_OTLP_JSON_VALUES) comes first for the messages. */
  protobufOnly?: boolean;
}
const EDGES: Edge[] = [
  {
    name: 'resources',
    signal: 'logs',
    body: (n) => ({ resourceLogs: empties(n) }),
    limit: MAX_OTLP_POINTS,
    path: 'resourceLogs',
  },
  {
    name: 'scopes',
    signal: 'metrics',
    body: (n) => ({ resourceMetrics: [{ scopeMetrics: empties(n) }] }),
    limit: MAX_OTLP_POINTS,
    path: 'scopeMetrics',
  },
  {
    name: 'metrics',
    signal: 'metrics',
    body: (n) => ({ resourceMetrics: [{ scopeMetrics: [{ metrics: empties(n) }] }] }),
    limit: MAX_OTLP_POINTS,
    path: 'metrics',
  },
  {
    name: 'log records',
    signal: 'logs',
    body: (n) => ({ resourceLogs: [{ scopeLogs: [{ logRecords: empties(n) }] }] }),
    limit: MAX_OTLP_POINTS,
    path: 'resourceLogs',
  },
  {
    name: 'data points',
    signal: 'metrics',
    body: (n) => ({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ gauge: { dataPoints: empties(n) } }] }] }] }),
    limit: MAX_OTLP_POINTS,
    path: 'resourceMetrics',
  },
  {
    name: 'attributes of one record',
    signal: 'logs',
    body: (n) => ({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ attributes: empties(n) }] }] }] }),
    limit: MAX_OTLP_LIST_ATTRIBUTES,
    path: 'attributes',
  },
  {
    name: 'attributes of one resource',
    signal: 'metrics',
    body: (n) => ({ resourceMetrics: [{ resource: { attributes: empties(n) } }] }),
    limit: MAX_OTLP_LIST_ATTRIBUTES,
    path: 'attributes',
  },
  {
    name: 'arrays nested',
    signal: 'logs',
    body: (n) => withBody(nested('arrayValue', n)),
    limit: MAX_OTLP_VALUE_DEPTH,
    path: 'arrayValue',
  },
  {
    name: 'key-value lists nested',
    signal: 'logs',
    body: (n) => withBody(nested('kvlistValue', n)),
    limit: MAX_OTLP_VALUE_DEPTH,
    path: 'kvlistValue',
  },
  { name: 'messages', signal: 'logs', body: messages, limit: MAX_OTLP_MESSAGES, path: 'body', protobufOnly: true },
];

describe('OTLP export bounds, at the limit and one past it', () => {
  it.each(
    EDGES.flatMap((e) =>
      (e.protobufOnly ? (['protobuf'] as const) : (['protobuf', 'json'] as const)).map((encoding) => ({ ...e, encoding })),
    ),
  )('$name ($encoding)', ({ signal, body, limit, path, encoding }) => {
    const type = signal === 'logs' ? OTLP.logsRequest : OTLP.metricsRequest;
    const bytes = (n: number) =>
      encoding === 'json' ? json(body(n)) : type.encode(type.fromObject(body(n) as Record<string, unknown>)).finish();
    expect(outcome(signal, bytes(limit), encoding)).toBe('ok');
    expect(outcome(signal, bytes(limit + 1), encoding)).toBe(path);
  });

  it('values of an OTLP JSON body (containers + commas + 1)', () => {
    const body = (n: number) => json({ resourceLogs: [{ x: Array.from({ length: n - 4 }, () => 0) }] });
    expect(outcome('logs', body(MAX_OTLP_JSON_VALUES), 'json')).toBe('ok');
    expect(outcome('logs', body(MAX_OTLP_JSON_VALUES + 1), 'json')).toBe('body');
  });

  it('lists and objects open at once in an OTLP JSON body (its nesting), counted before JSON.parse recurses', () => {
    // The text's bound alone: no export the other bounds pass comes near it (the deepest kvlistValue one: below).
    const deep = (n: number) => new TextEncoder().encode(`{"a":${'[{"b":'.repeat((n - 1) / 2)}1${'}]'.repeat((n - 1) / 2)}}`);
    expect(() => boundJsonText(deep(MAX_JSON_DEPTH - 1))).not.toThrow();
    expect(() => boundJsonText(deep(MAX_JSON_DEPTH + 1))).toThrow(`at most ${MAX_JSON_DEPTH} lists and objects deep`);
    const deepest = json(withBody(nested('kvlistValue', MAX_OTLP_VALUE_DEPTH)));
    expect(outcome('logs', deepest, 'json')).toBe('ok');
    // 30,000 deep ran JSON.parse out of stack: refused as too deep, with the bound in the message.
    const text = new TextEncoder().encode(`{"resourceLogs":${'['.repeat(30_000)}${']'.repeat(30_000)}}`);
    expect(() => decodeOtlp(OTLP.logsRequest, text, 'json')).toThrow(`at most ${MAX_JSON_DEPTH} lists and objects deep`);
  });

  it('a string in a JSON body hides nothing from the count, and braces inside strings are not counted', () => {
    const quoted = json({
      resourceLogs: [{ resource: { attributes: [{ key: '{['.repeat(200_000), value: { stringValue: '\\",{' } }] } }],
    });
    expect(outcome('logs', quoted, 'json')).toBe('ok');
  });

  it('a JSON string or key holding a lone surrogate is refused naming its field; a pair is text', () => {
    const agent = (key: string, value: string) =>
      new TextEncoder().encode(
        `{"resourceLogs":[{"resource":{"attributes":[{"key":"${key}","value":{"stringValue":"${value}"}}]}}]}`,
      );
    expect(outcome('logs', agent('gt.agent', '\\ud83d\\ude00'), 'json')).toBe('ok');
    expect(outcome('logs', agent('gt.agent', '😀'), 'json')).toBe('ok');
    expect(outcome('logs', agent('gt.agent', '\\ud800'), 'json')).toBe('stringValue');
    expect(outcome('logs', agent('gt.agent', '\\ude00x'), 'json')).toBe('stringValue');
    expect(outcome('logs', agent('\\udfff', 'a'), 'json')).toBe('key');
  });

  it('a protobuf string that encodes a lone surrogate (ED A0 80) is refused as invalid UTF-8', () => {
    const body = field(1, field(1, field(1, str(1, 'gt.agent'), field(2, field(1, raw(0xed, 0xa0, 0x80))))));
    expect(outcome('logs', body, 'protobuf')).toBe('body');
  });
});

describe('the CPU an OTLP export costs is bounded by what a real 1 MiB export costs', () => {
  /**
   * Decoding a real Claude Code logs export of 1 MiB, the costlier of its protobuf and JSON encodings: the
   * unit of the budgets below. The bounds are per export, so a hostile body of any size is held to it.
   */
  const real = claudeCodeLogs(MiB);
  const realJson = claudeCodeLogsJson(MiB);
  const baseline = () =>
    Math.max(
      leastDecodeMs(() => decodeOtlp(OTLP.logsRequest, real, 'protobuf')),
      leastDecodeMs(() => decodeOtlp(OTLP.logsRequest, realJson, 'json')),
    );
  /** The costliest hostile body takes 1-2× the unit on a quiet machine (`npm run bench`); 4× leaves room for noise. */
  const RATIO = 4;

  it.each([
    ...SHAPES.map((s) => ({ ...s, encoding: 'protobuf' as const })),
    ...JSON_SHAPES.map((s) => ({ ...s, encoding: 'json' as const })),
  ])('$name ($encoding), at every size up to 1 MiB', ({ signal, body, encoding }) => {
    const unit = baseline();
    for (const size of [MiB, MiB / 2, MiB / 4, MiB / 8]) {
      const bytes = body(size);
      const type = signal === 'logs' ? OTLP.logsRequest : OTLP.metricsRequest;
      expect(leastDecodeMs(() => decodeOtlp(type, bytes, encoding)) / unit, `${size} bytes`).toBeLessThan(RATIO);
    }
  });

  it('random bodies up to 1 MiB, of hostile units and of real bytes cut and repeated, decode or are a 400', () => {
    const unit = baseline();
    const units = [
      field(1),
      field(2),
      field(6),
      field(6, str(1, 'a'), field(2, str(1, ''))),
      deepAnyValue(3),
      raw(0x78, 0),
      raw(0x7b, 0x7c),
    ];
    const piece = fc.oneof(
      fc.constantFrom(...units),
      fc.integer({ min: 0, max: real.length - 64 }).map((at) => real.subarray(at, at + 64)),
      fc.uint8Array({ minLength: 1, maxLength: 16 }),
    );
    const wrap = fc.constantFrom(
      (b: Uint8Array) => b,
      (b: Uint8Array) => field(1, b),
      (b: Uint8Array) => field(1, field(2, b)),
      (b: Uint8Array) => field(1, field(2, field(2, b))),
    );
    fc.assert(
      fc.property(
        fc.array(piece, { minLength: 1, maxLength: 8 }),
        wrap,
        fc.integer({ min: 1024, max: MiB - 64 }),
        (pieces, w, size) => {
          const bytes = w(repeat(Buffer.concat(pieces), size));
          expect(['ok', 'body', 'resourceLogs', 'scopeLogs', 'attributes', 'arrayValue', 'kvlistValue']).toContain(
            outcome('logs', bytes, 'protobuf'),
          );
          expect(leastDecodeMs(() => decodeOtlp(OTLP.logsRequest, bytes, 'protobuf')) / unit).toBeLessThan(RATIO);
        },
      ),
      { numRuns: 40 },
    );
  });
});
