import { AppError } from '@gasgauge/core';
import type { Context, MiddlewareHandler } from 'hono';
import { parseJsonBytes } from './json-bytes.js';
import { decodeUtf8 } from './utf8.js';

/**
 * The context variable that names the town an ingest body is for when the route has no `:townId` (OTLP: the
 * credential's town), for a host's reader that shares its budget out by town (the Worker's).
 */
export const INGEST_TOWN = 'ingestTown';

/** The one body limit, for every route that reads a body. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Reads a request body's bytes, refusing more than maxBytes with a 413, and taking its bytes from
 * `budget` (default: the process's bodyBudget) while it arrives. Hosts may bring a faster one. The API
 * decodes them (decodeUtf8, parseJsonBytes), so every host refuses the same bodies the same way.
 */
export type BodyReader = (c: Context, maxBytes: number, budget?: BodyBudget) => Promise<Uint8Array>;

export function bodyTooLarge(maxBytes: number): AppError {
  return new AppError('payload_too_large', `body is larger than ${maxBytes} bytes`, { path: 'body' });
}

/**
 * Body bytes held at once by every request of this process whose body is still arriving. One body is at
 * most MAX_BODY_BYTES, but nothing else bounds how many arrive at once, and tRPC and `/auth/*` read theirs
 * before the credential: 1,500 unauthenticated clients each holding back a body's last byte grew the
 * server by 1.6 GB, and some 20,000 (the open-file limit) would run it out of memory.
 */
export const MAX_BODY_BYTES_IN_FLIGHT = 128 * 1024 * 1024;

/** Counts the bytes of bodies being read; every reader takes each chunk from it and gives all back once its body is read or refused. */
export class BodyBudget {
  private used = 0;
  constructor(private max: number) {}

  get limit(): number {
    return this.max;
  }

  /**
   * A host with less memory than a server lowers its process's budget once, as it starts: a Cloudflare
   * Worker isolate has 128 MB in all, so 128 MiB of bodies in flight was no bound there (see the Worker's app.ts).
   */
  setLimit(bytes: number): void {
    this.max = bytes;
  }

  /** Takes `bytes`, or throws the 503 (load shed: the client retries after Retry-After) and takes nothing. */
  take(bytes: number): void {
    if (this.used + bytes > this.limit)
      throw new AppError('unavailable', `more than ${this.limit} bytes of request bodies arriving at once; retry`, {
        path: 'body',
      });
    this.used += bytes;
  }

  give(bytes: number): void {
    this.used -= bytes;
  }

  get inUse(): number {
    return this.used;
  }
}

/** The process's one budget, shared by every reader (the Node host's reader and the Web-standard one). */
export const bodyBudget = new BodyBudget(MAX_BODY_BYTES_IN_FLIGHT);

/** The Web-standard reader: the request's stream, counted as it arrives (a missing or lying Content-Length does not help). */
export const readWebBody: BodyReader = readWebBytes;

/** The request's bytes, at most maxBytes (413 past it), read from its Web stream. */
export async function readWebBytes(c: Context, maxBytes: number, budget = bodyBudget): Promise<Uint8Array<ArrayBuffer>> {
  if (Number(c.req.header('content-length')) > maxBytes) throw bodyTooLarge(maxBytes);
  return readBounded(c.req.raw.body, maxBytes, budget);
}

/**
 * All of a stream, refusing (413, stream cancelled) once it passes maxBytes, or (503, stream cancelled)
 * once the process's bodies in flight would pass `budget`.
 */
export async function readBounded(
  stream: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  budget: BodyBudget = bodyBudget,
): Promise<Uint8Array<ArrayBuffer>> {
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (size + value.byteLength > maxBytes) {
        await reader.cancel();
        throw bodyTooLarge(maxBytes);
      }
      try {
        budget.take(value.byteLength);
      } catch (err) {
        await reader.cancel();
        throw err;
      }
      size += value.byteLength;
      chunks.push(value);
    }
    return concatBytes(chunks, size);
  } finally {
    budget.give(size);
  }
}

/** The chunks one after another, in one array of `size` bytes (their total). */
export function concatBytes(chunks: readonly Uint8Array[], size: number): Uint8Array<ArrayBuffer> {
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}

/**
 * For routes whose handler reads `c.req.raw` itself (tRPC, the /auth forms): the body is read first
 * through the bounded reader (413 past maxBytes, thrown to the app's error handler, which closes
 * the connection), and the handler gets a Request holding those bytes.
 */
export function bufferBody(read: BodyReader = readWebBody, maxBytes = MAX_BODY_BYTES, budget = bodyBudget): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const body = decodeUtf8(await read(c, maxBytes, budget));
    const { url, method, headers } = c.req.raw;
    c.req.raw = new Request(url, { method, headers, body });
    await next();
  };
}

/** The body as JSON: invalid UTF-8, invalid JSON and lone surrogates refused with a 400 naming `body`. */
export async function readJson(c: Context, read: BodyReader = readWebBody): Promise<unknown> {
  return parseJsonBytes(await read(c, MAX_BODY_BYTES));
}
