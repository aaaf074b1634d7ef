import { AppError, type ErrorCode } from '@gasgauge/core';

/**
 * A result across Durable Object RPC. A thrown error arrives as a plain Error with its message only,
 * so an `AppError` (the 4xx the client must see, with its field) travels as data and is rebuilt.
 */
export type Remote<T> = { ok: T } | { error: { code: ErrorCode; message: string; path: string | null } };

export async function toRemote<T>(fn: () => T | Promise<T>): Promise<Remote<T>> {
  try {
    return { ok: await fn() };
  } catch (err) {
    if (err instanceof AppError) return { error: { code: err.code, message: err.message, path: err.path ?? null } };
    throw err;
  }
}

export function fromRemote<T>(r: Remote<T>): T {
  if ('ok' in r) return r.ok;
  throw new AppError(r.error.code, r.error.message, r.error.path === null ? undefined : { path: r.error.path });
}

/**
 * A call to a Durable Object that the platform, not the object's code, failed: the object was reset (a
 * deploy, an eviction, a limit it passed) or moved, a transient internal error (`retryable`), or more
 * requests than one object takes (`overloaded`). Nothing of the call is lost that a retry would not
 * bring back (ingest is idempotent by id), so the client is told to retry: a `503` with `Retry-After`,
 * which reporters and OTLP exporters retry. It had been a `500`, which OTLP exporters drop (the spec
 * retries only 429, 502, 503 and 504), so every deploy lost the exports in flight.
 */
export function platformFailure(err: unknown): AppError | undefined {
  if (!(err instanceof Error)) return undefined;
  const flags = err as Error & { retryable?: unknown; overloaded?: unknown; durableObjectReset?: unknown };
  if (flags.overloaded === true)
    return new AppError('unavailable', 'the server is taking more requests than it can answer; retry later', {
      cause: err,
      retryAfterSeconds: OVERLOADED_RETRY_AFTER_S,
    });
  if (flags.retryable === true || flags.durableObjectReset === true)
    return new AppError('unavailable', 'the server restarted while answering; retry', { cause: err });
  return undefined;
}

/** How long an overloaded object's callers are asked to wait: the platform advises against retrying at once. */
export const OVERLOADED_RETRY_AFTER_S = 5;

/** A Durable Object call's answer, a platform failure thrown as its 503 (see platformFailure). */
export async function settled<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    throw platformFailure(err) ?? err;
  }
}

/** The first byte of a town object's change stream: it is open (its id follows), or refused (the refusal follows as JSON; see TownDO.changes). */
export const CHANGES_OPENED = 2;
export const CHANGES_REFUSED = 0;
/** After the opening, each byte of a change stream is a change, or a heartbeat that only checks the reader is still there. */
export const CHANGE = 1;
export const HEARTBEAT = 0;
/** The opening of an accepted change stream: CHANGES_OPENED and the stream's id, 4 bytes big-endian. */
export const CHANGES_HEADER_BYTES = 5;

export function changesHeader(id: number): Uint8Array {
  const header = new Uint8Array(CHANGES_HEADER_BYTES);
  header[0] = CHANGES_OPENED;
  new DataView(header.buffer).setUint32(1, id);
  return header;
}

/**
 * How a change stream opened, from the bytes read first (a refusal's whole text, or at least the header):
 * the stream's id and how many bytes of `bytes` the header took, or the refusal as the AppError to throw.
 */
export function changesOpening(bytes: Uint8Array): { id: number; header: number } | AppError {
  if (bytes[0] !== CHANGES_OPENED) {
    const r = JSON.parse(new TextDecoder().decode(bytes.subarray(1))) as {
      code: ErrorCode;
      message: string;
      path: string | null;
    };
    return new AppError(r.code, r.message, r.path === null ? undefined : { path: r.path });
  }
  return { id: new DataView(bytes.buffer, bytes.byteOffset).getUint32(1), header: CHANGES_HEADER_BYTES };
}
