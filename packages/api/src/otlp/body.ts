import { AppError } from '@gasgauge/core';
import type { Context } from 'hono';
import { MAX_BODY_BYTES, readBounded, readWebBytes } from '../http/body.js';

/**
 * An OTLP request body as bytes: at most MAX_BODY_BYTES on the wire and, when gzipped, at most
 * MAX_BODY_BYTES once inflated (a zip bomb is a 413 after 1 MiB of output, never held in full).
 */
export async function readOtlpBody(c: Context): Promise<Uint8Array<ArrayBuffer>> {
  const raw = await readWebBytes(c, MAX_BODY_BYTES);
  const encoding = (c.req.header('content-encoding') ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return raw;
  if (encoding !== 'gzip')
    throw new AppError('bad_request', `Content-Encoding ${encoding} is not supported (gzip or none)`, {
      path: 'content-encoding',
    });
  const inflated = new Blob([raw]).stream().pipeThrough(new DecompressionStream('gzip'));
  try {
    return await readBounded(inflated, MAX_BODY_BYTES);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('bad_request', 'body is not valid gzip', { path: 'body', cause: err });
  }
}
