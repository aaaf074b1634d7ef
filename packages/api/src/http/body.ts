import { AppError } from '@gasgauge/core';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { toErrorResponse } from './errors.js';

export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * 413 for a body over 1 MiB, counted as it streams (a missing or lying Content-Length does not help).
 * The rest of the body is never read, so the connection cannot be reused: say so, or a keep-alive
 * client sends its next request into a socket the server is about to drop.
 */
export const limitBody: MiddlewareHandler = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: (c) => {
    const { status, body } = toErrorResponse(
      new AppError('payload_too_large', `body is larger than ${MAX_BODY_BYTES} bytes`, { path: 'body' }),
    );
    return c.json(body, status as 413, { Connection: 'close' });
  },
});

export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('bad_request', 'body is not valid JSON', { path: 'body' });
  }
}
