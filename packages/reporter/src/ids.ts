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

/**
 * A record's `session` (docs/api.md, "one session, two paths"): the CLI's own session id, as its OTLP export
 * names it, so only sent as it is; one past the server's bound (no export names such a session) is left out.
 */
export function sessionField(session: string | undefined): { session?: string } {
  return session !== undefined && session.length >= 1 && session.length <= MAX_ID_LENGTH ? { session } : {};
}
