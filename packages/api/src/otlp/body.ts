import { AppError } from '@gasgauge/core';
import type { Context } from 'hono';
import { type BodyReader, bodyTooLarge, MAX_BODY_BYTES, readBounded, readWebBytes } from '../http/body.js';

/**
 * A host's gzip inflater, bounded: the inflated bytes, or a RangeError once the output would pass
 * `maxBytes` (node:zlib's gunzipSync with maxOutputLength does both, on Node and on workerd with
 * nodejs_compat). Any other error means the bytes are not gzip.
 */
export type Gunzip = (bytes: Uint8Array<ArrayBuffer>, maxBytes: number) => Uint8Array;

/**
 * An OTLP request body as bytes: at most MAX_BODY_BYTES on the wire and, when gzipped, at most
 * MAX_BODY_BYTES once inflated (a zip bomb is a 413 after 1 MiB of output, never held in full).
 */
export async function readOtlpBody(c: Context, gunzip?: Gunzip, read?: BodyReader): Promise<Uint8Array<ArrayBuffer>> {
  // The host's reader when it brings one, as the other ingest routes (the Worker's holds the bytes until the answer).
  const raw = read ? ((await read(c, MAX_BODY_BYTES)) as Uint8Array<ArrayBuffer>) : await readWebBytes(c, MAX_BODY_BYTES);
  const encoding = (c.req.header('content-encoding') ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return raw;
  if (encoding !== 'gzip')
    throw new AppError('bad_request', `Content-Encoding ${encoding} is not supported (gzip or none)`, {
      path: 'content-encoding',
    });
  if (gunzip) return inflateWith(gunzip, raw);
  try {
    return await inflateBounded(raw, MAX_BODY_BYTES);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('bad_request', 'body is not valid gzip', { path: 'body', cause: err });
  }
}

/**
 * Through the host's inflater, which stops at the bound itself: a 1 MiB body of 1 GB of zeros is refused
 * in ~50 ms on both hosts. Web streams could not do that on workerd (see inflateBounded).
 */
function inflateWith(gunzip: Gunzip, raw: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  let out: Uint8Array;
  try {
    out = gunzip(raw, MAX_BODY_BYTES);
  } catch (err) {
    if (err instanceof RangeError) throw bodyTooLarge(MAX_BODY_BYTES);
    throw new AppError('bad_request', 'body is not valid gzip', { path: 'body', cause: err });
  }
  // A view, not a copy: the inflated bytes are read once, by the decoder.
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength) as Uint8Array<ArrayBuffer>;
}

/**
 * Gzip inflated with Web streams, for a host that brings no Gunzip (test apps): Node's DecompressionStream
 * waits for its reader, so the bound stops a bomb after 1 MiB of output (~0.1 s). workerd's does not (it
 * inflated 1 GB of zeros whole, ~12 s of the isolate): hence the Gunzip port, which both hosts give.
 */
function inflateBounded(raw: Uint8Array<ArrayBuffer>, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  return readBounded(new Blob([raw]).stream().pipeThrough(new DecompressionStream('gzip')), maxBytes);
}
