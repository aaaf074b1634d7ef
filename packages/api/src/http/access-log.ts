import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';

/** One line of the access log. `route` is the pattern that answered (`/api/towns/:townId/usage`), never a raw URL with secrets in it. */
export interface AccessEntry {
  requestId: string;
  method: string;
  route: string;
  status: number;
  durationMs: number;
  /** The town named in the path, when there is one. */
  town?: string;
}

export const REQUEST_ID_HEADER = 'X-Request-Id';
/** A request id from a proxy is kept only when it looks like one (no log injection, bounded). */
const FORWARDED_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const TOWN_IN_PATH = /^\/api\/towns\/([A-Za-z0-9_-]{1,64})(?:\/|$)/;

/**
 * Gives every request an id (the proxy's `X-Request-Id` when sane, else a random one), returns it in
 * the response header, and hands one entry per request to `log` when there is one.
 */
export function accessLog(
  log: ((entry: AccessEntry) => void) | undefined,
  now: () => number = () => performance.now(),
): MiddlewareHandler {
  return async (c, next) => {
    const start = now();
    const forwarded = c.req.header(REQUEST_ID_HEADER);
    const requestId = forwarded && FORWARDED_ID.test(forwarded) ? forwarded : newRequestId();
    // Set before the handler answers: a header set on a finished response makes Hono copy the response,
    // its body as a stream (measured: a third of what a one-record ingest costs over a bare POST).
    c.header(REQUEST_ID_HEADER, requestId);
    try {
      await next();
    } finally {
      // A response built outside the context (tRPC's, a thrown error's) did not take the prepared header.
      if (c.res.headers.get(REQUEST_ID_HEADER) !== requestId) c.header(REQUEST_ID_HEADER, requestId);
      if (log) {
        const town = TOWN_IN_PATH.exec(c.req.path)?.[1];
        log({
          requestId,
          method: c.req.method,
          route: routeOf(c.req.path, matchedRoutes(c)[c.req.routeIndex]?.path),
          status: c.res.status,
          durationMs: Math.round((now() - start) * 10) / 10,
          ...(town === undefined ? {} : { town }),
        });
      }
    }
  };
}

const TRPC_PATH = /^\/trpc\/[A-Za-z.,]{1,200}$/;

/** tRPC answers every procedure from `/trpc/*`: the procedure name (batched: names) says more. */
function routeOf(path: string, pattern: string | undefined): string {
  if (pattern === '/trpc/*' && TRPC_PATH.test(path)) return path;
  return pattern ?? '-';
}

const ID_BYTES = 8;
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
/** Random bytes drawn 256 ids at a time: one getRandomValues call costs more than the rest of an id. */
let pool = new Uint8Array(0);
let used = 0;

/** A fresh request id (also for an answer made outside the app: the Node adapter's refusals). */
export function newRequestId(): string {
  if (used + ID_BYTES > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(ID_BYTES * 256));
    used = 0;
  }
  let id = '';
  for (let i = used; i < used + ID_BYTES; i++) id += HEX[pool[i] as number];
  used += ID_BYTES;
  return id;
}
