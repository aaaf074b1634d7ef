import { AppError } from '@gasgauge/core';
import type protobuf from 'protobufjs/light.js';
import { decodeUtf8, refuseLoneSurrogates } from '../http/utf8.js';

/** How an OTLP body is encoded, from its Content-Type. */
export type Encoding = 'protobuf' | 'json';

export function encodingOf(contentType: string | undefined): Encoding {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  throw new AppError('bad_request', 'Content-Type must be application/x-protobuf or application/json', { path: 'content-type' });
}

/** A message of `type` from either encoding, as a plain object (64-bit integers as decimal strings). */
export function decodeOtlp(type: protobuf.Type, bytes: Uint8Array, encoding: Encoding): unknown {
  try {
    const json = encoding === 'json' ? (JSON.parse(decodeUtf8(bytes), saturateTimes) as unknown) : undefined;
    if (encoding === 'json' && (json === null || typeof json !== 'object' || Array.isArray(json)))
      throw new AppError('bad_request', `body is not OTLP JSON ${type.name}: not an object`, { path: 'body' });
    const message = encoding === 'protobuf' ? type.decode(bytes) : type.fromObject(json as protobuf.Message);
    const value = type.toObject(message, { longs: String, enums: Number, defaults: false, arrays: true });
    refuseLoneSurrogates(value); // both encodings: attribute values become stored agent and model ids
    return value;
  } catch (err) {
    if (err instanceof AppError) throw err;
    const what = encoding === 'protobuf' ? 'an OTLP protobuf' : 'OTLP JSON';
    throw new AppError('bad_request', `body is not ${what} ${type.name}: ${(err as Error).message}`.slice(0, 300), {
      path: 'body',
      cause: err,
    });
  }
}

const TIME_FIELDS = new Set(['timeUnixNano', 'startTimeUnixNano', 'observedTimeUnixNano']);
const MAX_U64 = (1n << 64n) - 1n;

/**
 * A JSON time the `fixed64` field cannot hold (beyond 2^64 − 1, negative, fractional) becomes 2^64 − 1:
 * protobufjs would wrap it modulo 2^64 into a plausible time, where 2^64 − 1 is refused per point (eventMs).
 */
function saturateTimes(key: string, value: unknown): unknown {
  if (!TIME_FIELDS.has(key) || (typeof value !== 'string' && typeof value !== 'number')) return value;
  const text = String(value);
  return /^\d{1,30}$/.test(text) && BigInt(text) <= MAX_U64 ? text : MAX_U64.toString();
}
