import { createHash } from 'node:crypto';
import { MAX_ID_LENGTH } from './wire.js';

/** A short stable digest (160 bits of SHA-256, hex): ids for things that carry none. */
export function digest(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 40);
}

/** The id itself when the server accepts its length, else a digest of it: stable either way, so still idempotent. */
export function boundedId(id: string): string {
  return id.length <= MAX_ID_LENGTH ? id : `sha:${digest(id)}`;
}
