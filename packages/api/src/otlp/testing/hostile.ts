import { AppError } from '@gasgauge/core';
import { OTLP } from '../schema.js';

/*
 * OTLP protobuf bodies built on the wire, byte by byte: the shapes a hostile client can pack into a
 * body (empty messages, tiny attributes, deep AnyValues, unknown fields, huge varints), each repeated
 * until the body is `bytes` long, the same in OTLP JSON, and a real Claude Code logs export of any size,
 * so their decoding cost can be compared (limits.test.ts, and the bench's OTLP decode row).
 */

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 127) {
    out.push((v & 127) | 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** A length-delimited field (a message, string or packed list). */
export const field = (id: number, ...content: Uint8Array[]): Uint8Array => {
  const body = cat(...content);
  return cat(new Uint8Array([...varint((id << 3) | 2), ...varint(body.length)]), body);
};
export const str = (id: number, text: string) => field(id, new TextEncoder().encode(text));
export const raw = (...bytes: number[]) => new Uint8Array(bytes);

/** `unit` repeated to `bytes` bytes (or the most whole copies that fit). */
export function repeat(unit: Uint8Array, bytes: number): Uint8Array {
  const n = Math.max(1, Math.floor(bytes / unit.length));
  const out = new Uint8Array(n * unit.length);
  for (let i = 0; i < n; i++) out.set(unit, i * unit.length);
  return out;
}

/** `fill` wrapped in `wrap` so that the whole is at most `bytes` long. */
function filled(bytes: number, wrap: (inner: Uint8Array) => Uint8Array, unit: Uint8Array): Uint8Array {
  const overhead = wrap(new Uint8Array(0)).length + 8;
  return wrap(repeat(unit, bytes - overhead));
}

// ExportLogsServiceRequest > ResourceLogs(1) > ScopeLogs(2) > LogRecord(2); KeyValue attributes(6), body(5).
const inResource = (inner: Uint8Array) => field(1, inner);
const inScope = (inner: Uint8Array) => field(1, field(2, inner));
const inRecord = (inner: Uint8Array) => field(1, field(2, field(2, inner)));
// ExportMetricsServiceRequest > ResourceMetrics(1) > ScopeMetrics(2) > Metric(2) > Sum(7) > NumberDataPoint(1).
const inMetric = (inner: Uint8Array) => field(1, field(2, field(2, inner)));
const inSum = (inner: Uint8Array) => inMetric(field(7, inner));

/** An AnyValue holding an array holding one AnyValue, `depth` times over: 2 levels of messages per step. */
export function deepAnyValue(depth: number): Uint8Array {
  let v: Uint8Array = str(1, 'x');
  for (let i = 0; i < depth; i++) v = field(5, field(1, v));
  return v;
}

export type Signal = 'logs' | 'metrics';
export interface Shape {
  name: string;
  signal: Signal;
  body: (bytes: number) => Uint8Array;
}

export const SHAPES: Shape[] = [
  { name: 'empty resources', signal: 'logs', body: (b) => repeat(field(1), b) },
  { name: 'empty scopes', signal: 'logs', body: (b) => filled(b, inResource, field(2)) },
  { name: 'empty log records', signal: 'logs', body: (b) => filled(b, inScope, field(2)) },
  { name: 'empty attributes', signal: 'logs', body: (b) => filled(b, inRecord, field(6)) },
  { name: 'tiny attributes', signal: 'logs', body: (b) => filled(b, inRecord, field(6, str(1, 'a'), field(2, str(1, '')))) },
  { name: 'empty array values', signal: 'logs', body: (b) => filled(b, (i) => inRecord(field(5, field(5, i))), field(1)) },
  { name: 'empty kvlist values', signal: 'logs', body: (b) => filled(b, (i) => inRecord(field(5, field(6, i))), field(1)) },
  { name: 'records of deep bodies', signal: 'logs', body: (b) => filled(b, inScope, field(2, field(5, deepAnyValue(45)))) },
  { name: 'one bytes value', signal: 'logs', body: (b) => inRecord(field(5, field(7, new Uint8Array(b - 16)))) },
  { name: 'one long string', signal: 'logs', body: (b) => inRecord(field(5, field(1, new Uint8Array(b - 16).fill(97)))) },
  { name: 'unknown varints', signal: 'logs', body: (b) => filled(b, inRecord, raw(0x78, 0)) },
  { name: 'huge unknown varints', signal: 'logs', body: (b) => filled(b, inRecord, raw(0x78, ...Array(9).fill(0xff), 1)) },
  {
    name: 'unknown packed numbers',
    signal: 'logs',
    body: (b) => filled(b, inRecord, field(15, repeat(raw(0xff, 0xff, 1), 1000))),
  },
  { name: 'unknown groups', signal: 'logs', body: (b) => filled(b, inRecord, raw(0x7b, 0x7c)) },
  { name: 'empty metrics', signal: 'metrics', body: (b) => filled(b, (i) => field(1, field(2, i)), field(2)) },
  { name: 'empty data points', signal: 'metrics', body: (b) => filled(b, inSum, field(1)) },
  { name: 'point attributes', signal: 'metrics', body: (b) => filled(b, (i) => inSum(field(1, i)), field(7)) },
];

const kv = (key: string, value: string) => field(6, str(1, key), field(2, str(1, value)));

/**
 * A realistic logs export of about `bytes`: Claude Code `api_request` events with the attributes it
 * sends (session, user, organisation, prompt, model, tokens, cost, duration), one resource of its own.
 */
export function claudeCodeLogs(bytes: number): Uint8Array {
  const resource = field(
    1,
    ...[
      ['service.name', 'claude-code'],
      ['service.version', '2.0.14'],
      ['os.type', 'linux'],
      ['host.arch', 'amd64'],
      ['gt.town', 'bench'],
      ['gt.agent', 'polecat-7'],
    ].map(([k, v]) => field(1, str(1, k as string), field(2, str(1, v as string)))),
  );
  const record = (i: number) =>
    field(
      2,
      raw(0x09, 0, 0, 0x10, 0x3e, 0x7a, 0x3c, 0xe8, 0x18),
      field(5, str(1, 'claude_code.api_request')),
      kv('event.name', 'api_request'),
      kv('event.timestamp', '2026-12-03T22:13:52.123Z'),
      kv('event.sequence', String(i)),
      kv('session.id', '6f1f0c52-2b8e-4d2c-9a55-0d7f3b6c1a2e'),
      kv('user.id', 'c0ffee4d2b8e4d2c9a550d7f3b6c1a2e3f4a5b6c7d8e9f00'),
      kv('organization.id', '0d7f3b6c-1a2e-4d2c-9a55-6f1f0c522b8e'),
      kv('user.account_uuid', '2b8e4d2c-9a55-0d7f-3b6c-1a2e6f1f0c52'),
      kv('terminal.type', 'tmux'),
      kv('prompt.id', '9a550d7f-3b6c-1a2e-6f1f-0c522b8e4d2c'),
      kv('model', 'claude-sonnet-4-5-20250929'),
      kv('request_id', `req_011CVmXq${String(i).padStart(12, '0')}`),
      kv('input_tokens', '1234'),
      kv('output_tokens', '567'),
      kv('cache_read_tokens', '40211'),
      kv('cache_creation_tokens', '0'),
      kv('cost_usd', '0.0213'),
      kv('duration_ms', '8123'),
    );
  const scope = str(1, 'com.anthropic.claude_code.events');
  const one = record(0).length;
  const n = Math.max(1, Math.floor((bytes - 1024) / one));
  return field(1, resource, field(2, field(1, scope), ...Array.from({ length: n }, (_, i) => record(i))));
}

/** The same export as OTLP JSON, about `bytes` long (JSON spells it out in about 1.85× the bytes). */
export function claudeCodeLogsJson(bytes: number): Uint8Array {
  const proto = claudeCodeLogs(Math.floor(bytes / 1.85));
  return new TextEncoder().encode(JSON.stringify(OTLP.logsRequest.toObject(OTLP.logsRequest.decode(proto), { longs: String })));
}

/** `unit` (a JSON value) repeated in the list at `path` of `wrap`'s object, to about `bytes` of JSON text. */
function jsonFilled(bytes: number, wrap: (list: unknown[]) => unknown, unit: unknown): Uint8Array {
  const n = Math.max(1, Math.floor((bytes - JSON.stringify(wrap([])).length) / (JSON.stringify(unit).length + 1)));
  return new TextEncoder().encode(JSON.stringify(wrap(Array.from({ length: n }, () => unit))));
}
const jsonRecord = (attributes: unknown[]) => ({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ attributes }] }] }] });
const jsonDeep = (depth: number): unknown =>
  depth === 0 ? { stringValue: 'x' } : { arrayValue: { values: [jsonDeep(depth - 1)] } };

/** The same shapes as OTLP JSON. */
export const JSON_SHAPES: Shape[] = [
  { name: 'json empty resources', signal: 'logs', body: (b) => jsonFilled(b, (l) => ({ resourceLogs: l }), {}) },
  {
    name: 'json empty records',
    signal: 'logs',
    body: (b) => jsonFilled(b, (l) => ({ resourceLogs: [{ scopeLogs: [{ logRecords: l }] }] }), {}),
  },
  { name: 'json empty attributes', signal: 'logs', body: (b) => jsonFilled(b, jsonRecord, {}) },
  {
    name: 'json tiny attributes',
    signal: 'logs',
    body: (b) => jsonFilled(b, jsonRecord, { key: 'a', value: { intValue: '1' } }),
  },
  { name: 'json emoji attributes', signal: 'logs', body: (b) => jsonFilled(b, jsonRecord, { key: '😀', value: {} }) },
  { name: 'json numbers', signal: 'logs', body: (b) => jsonFilled(b, (l) => ({ resourceLogs: [{ x: l }], y: '😀' }), 0) },
  { name: 'json deep values', signal: 'logs', body: (b) => jsonFilled(b, jsonRecord, { key: 'a', value: jsonDeep(15) }) },
  {
    name: 'json unknown fields',
    signal: 'logs',
    body: (b) => jsonFilled(b, (l) => ({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ x: l }] }] }] }), 0),
  },
];

/**
 * The least of five runs of `fn`, in ms (the least is the one least disturbed by the machine); a refusal
 * (an AppError, a 4xx) is an outcome like any other.
 */
export function leastDecodeMs(fn: () => unknown): number {
  let least = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    try {
      fn();
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
    }
    least = Math.min(least, performance.now() - start);
  }
  return least;
}
