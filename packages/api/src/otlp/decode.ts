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
  boundJsonText(text);
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

const TIME_FIELDS = new Set(['timeUnixNano', 'startTimeUnixNano', 'observedTimeUnixNano']);
const INTEGER_FIELDS = new Set(['intValue', 'asInt', 'count']);
const DOUBLE_FIELDS = new Set(['doubleValue', 'asDouble', 'sum']);
const MAX_U64 = (1n << 64n) - 1n;

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
  if (Array.isArray(value)) checkList(key, value);
  if (typeof value !== 'string' && typeof value !== 'number') return value;
  if (TIME_FIELDS.has(key)) {
    const text = typeof value === 'number' && Number.isInteger(value) ? BigInt(value).toString() : String(value);
    if (!/^\d{1,30}$/.test(text)) refuse(key, 'a non-negative integer of nanoseconds', value);
    return BigInt(text) <= MAX_U64 ? text : MAX_U64.toString();
  }
  if (INTEGER_FIELDS.has(key) && !(typeof value === 'number' ? Number.isInteger(value) : DECIMAL_INTEGER.test(value)))
    refuse(key, 'a decimal integer', value);
  if (DOUBLE_FIELDS.has(key) && typeof value === 'string' && !DECIMAL.test(value.replace(/^-/, '')))
    refuse(key, 'a decimal number', value);
  return value;
}
