import { AppError } from '@gasgauge/core';
import type protobuf from 'protobufjs/light.js';
import { decodeUtf8, hasLoneSurrogate, jsonMayHoldSurrogates } from '../http/utf8.js';
import { descriptor } from './descriptor.js';
import { bounded, boundJsonText } from './limits.js';
import { DECIMAL, DECIMAL_INTEGER } from './numbers.js';

/** How an OTLP body is encoded, from its Content-Type. */
export type Encoding = 'protobuf' | 'json';

export function encodingOf(contentType: string | undefined): Encoding {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  throw new AppError('bad_request', 'Content-Type must be application/x-protobuf or application/json', { path: 'content-type' });
}

/**
 * A message of `type` from either encoding, as a plain object (64-bit integers as decimal strings),
 * built under the export's bounds (limits.ts): a body past one is refused while it is decoded.
 */
export function decodeOtlp(type: protobuf.Type, bytes: Uint8Array, encoding: Encoding): unknown {
  const signal = type.name === 'ExportLogsServiceRequest' ? 'logs' : 'metrics';
  try {
    const message = bounded(signal, () =>
      encoding === 'protobuf' ? type.decode(bytes) : type.fromObject(parseJson(type, bytes)),
    );
    return type.toObject(message, { longs: String, enums: Number, defaults: false, arrays: true });
  } catch (err) {
    if (err instanceof AppError) throw err;
    const what = encoding === 'protobuf' ? 'an OTLP protobuf' : 'OTLP JSON';
    throw new AppError('bad_request', `body is not ${what} ${type.name}: ${(err as Error).message}`.slice(0, 300), {
      path: 'body',
      cause: err,
    });
  }
}

/**
 * OTLP JSON as parsed, its numbers and lists checked, and no lone surrogate in it: attribute values
 * become stored agent and model ids. Strings are checked as they are parsed, and only when the text
 * holds a surrogate (a second walk over 300,000 values took 0.25 s). Protobuf needs no such check:
 * its strings are decoded as strict UTF-8, which has no encoding of a lone surrogate (and walking a
 * decoded `bytesValue` of 1 MiB took 2 s).
 */
function parseJson(type: protobuf.Type, bytes: Uint8Array): protobuf.Message {
  const text = decodeUtf8(bytes);
  boundJsonText(bytes);
  const json = JSON.parse(text, jsonMayHoldSurrogates(text) ? checkText : checkNumbers) as unknown;
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new AppError('bad_request', `body is not OTLP JSON ${type.name}: not an object`, { path: 'body' });
  return json as protobuf.Message;
}

/** checkNumbers, refusing a key or string holding a lone surrogate first (SQLite would store it as U+FFFD). */
function checkText(key: string, value: unknown): unknown {
  if (hasLoneSurrogate(key) || (typeof value === 'string' && hasLoneSurrogate(value))) {
    const path = hasLoneSurrogate(key) ? 'body' : key;
    throw new AppError('bad_request', `${path}: a lone UTF-16 surrogate (\\ud800–\\udfff) is not text`, { path });
  }
  return checkNumbers(key, value);
}

/**
 * The fields read that hold one value, never a list: those named so in every message of the schema read.
 * protobufjs would take a list given for one of them for an empty message (or coerce it to a scalar), so
 * a body of nothing but `[]`s in the wrong places would be a 200 that stores nothing.
 */
const SINGLE_FIELDS: ReadonlySet<string> = (() => {
  const fields = Object.values(descriptor.nested).flatMap((m) => Object.entries(m.fields));
  const lists = new Set(fields.filter(([, f]) => 'rule' in f && f.rule === 'repeated').map(([name]) => name));
  return new Set(fields.map(([name]) => name).filter((name) => !lists.has(name)));
})();

/** A list must be a field that holds one, and never holds a list itself (OTLP JSON has no list of lists). */
function checkList(key: string, list: unknown[]): void {
  if (SINGLE_FIELDS.has(key)) refuse(key, 'one value, not a list', list);
  if (list.some(Array.isArray)) refuse(key, 'a list of objects or numbers', list);
}

/** The schema's fields read, each with its JSON kind: a scalar's field takes a value of that kind only. */
const FIELDS = Object.values(descriptor.nested).flatMap((m) => Object.entries(m.fields) as [string, { type: string }][]);
const fieldsOf = (types: readonly string[]) => new Set(FIELDS.filter(([, f]) => types.includes(f.type)).map(([name]) => name));
const STRING_FIELDS = fieldsOf(['string', 'bytes']);
const BOOL_FIELDS = fieldsOf(['bool']);
const NUMBER_FIELDS = fieldsOf(['int32', 'int64', 'fixed64', 'sfixed64', 'double']);
/** `sum` is a Metric's Sum (a message) and a histogram point's double. */
const MESSAGE_FIELDS = fieldsOf(Object.keys(descriptor.nested));

/**
 * The schema's field names as the .proto spells them (`resource_metrics`, `time_unix_nano`), by their OTLP JSON
 * names. OTLP JSON takes only the lowerCamelCase ones, and protobufjs ignores any other key: a body in the .proto's
 * spelling would be a 200 that stores nothing.
 */
const PROTO_NAMES: ReadonlyMap<string, string> = new Map(
  FIELDS.map(([name]) => [name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), name] as const).filter(([a, b]) => a !== b),
);

const TIME_FIELDS = new Set(['timeUnixNano', 'startTimeUnixNano', 'observedTimeUnixNano']);
const INTEGER_FIELDS = new Set(['intValue', 'asInt', 'count']);
const DOUBLE_FIELDS = new Set(['doubleValue', 'asDouble', 'sum']);
const MAX_U64 = (1n << 64n) - 1n;
/**
 * The range of each 64-bit integer field (`count` is fixed64, the others int64): protobufjs wraps a decimal past
 * it modulo 2^64, so 2^64 + 5 tokens would be 5.
 */
const INT64: readonly [bigint, bigint] = [-(1n << 63n), (1n << 63n) - 1n];
const INTEGER_RANGE: ReadonlyMap<string, readonly [bigint, bigint]> = new Map([
  ['intValue', INT64],
  ['asInt', INT64],
  ['count', [0n, MAX_U64]],
]);

/** A field's value of the wrong JSON kind: protobufjs would coerce it (`true` to 1, `{"low":5}` to 5, 5 to "5"). */
function checkKind(key: string, value: unknown): void {
  if (value === null || Array.isArray(value)) return;
  const kind = typeof value;
  if (STRING_FIELDS.has(key) && kind !== 'string') refuse(key, 'a string', value);
  if (BOOL_FIELDS.has(key) && kind !== 'boolean') refuse(key, 'true or false', value);
  if (NUMBER_FIELDS.has(key) && kind !== 'number' && kind !== 'string' && !(kind === 'object' && MESSAGE_FIELDS.has(key)))
    refuse(key, 'a number', value);
}

function refuse(key: string, what: string, value: unknown): never {
  throw new AppError('bad_request', `${key} must be ${what}, not ${JSON.stringify(value).slice(0, 40)}`, { path: key });
}

/**
 * The JSON reviver for OTLP's lists and numbers (numbers.ts): a 64-bit integer or double sent as a string must be
 * a decimal, a time a non-negative decimal integer of nanoseconds. A time beyond 2^64 − 1 becomes
 * 2^64 − 1: protobufjs would wrap it modulo 2^64 into a plausible time, where 2^64 − 1 is refused per
 * point (eventMs).
 */
function checkNumbers(key: string, value: unknown): unknown {
  const camel = PROTO_NAMES.get(key);
  if (camel !== undefined)
    throw new AppError('bad_request', `${key}: OTLP JSON spells this field ${camel} (lowerCamelCase)`, { path: key });
  if (Array.isArray(value)) checkList(key, value);
  checkKind(key, value);
  if (typeof value !== 'string' && typeof value !== 'number') return value;
  if (TIME_FIELDS.has(key)) {
    const text = typeof value === 'number' && Number.isInteger(value) ? BigInt(value).toString() : String(value);
    if (!/^\d{1,30}$/.test(text)) refuse(key, 'a non-negative integer of nanoseconds', value);
    return BigInt(text) <= MAX_U64 ? text : MAX_U64.toString();
  }
  if (INTEGER_FIELDS.has(key)) {
    if (!(typeof value === 'number' ? Number.isInteger(value) : DECIMAL_INTEGER.test(value)))
      refuse(key, 'a decimal integer', value);
    const [min, max] = INTEGER_RANGE.get(key) ?? INT64;
    const n = BigInt(value);
    if (n < min || n > max) refuse(key, `an integer from ${min} to ${max}`, value);
  }
  if (DOUBLE_FIELDS.has(key) && typeof value === 'string' && !DECIMAL.test(value.replace(/^-/, '')))
    refuse(key, 'a decimal number', value);
  return value;
}
