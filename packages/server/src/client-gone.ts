import type { ServerResponse } from 'node:http';
import type { Context } from 'hono';

/**
 * Aborts when the client closes the connection before its answer was written: the response closed
 * unfinished. (@hono/node-server's Request has a signal of its own, but reading it builds a Fetch
 * Request over the body stream, which readNodeBody reads itself.)
 */
export function clientGone(c: Context): AbortSignal | undefined {
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  if (!outgoing) return undefined;
  const gone = new AbortController();
  outgoing.once('close', () => {
    if (!outgoing.writableFinished) gone.abort();
  });
  return gone.signal;
}
