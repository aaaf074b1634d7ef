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
