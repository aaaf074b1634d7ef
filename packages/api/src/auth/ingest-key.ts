import { AppError, KEY_TOUCH_INTERVAL_MS } from '@gasgauge/core';
import type { ControlStore } from '../ports/control.js';
import type { IngestClaims } from './ingest-token.js';
import { base64url, hashToken } from './user-token.js';

/** Long-lived ingest keys: `ggi_` + 32 random bytes, base64url. Only their SHA-256 is stored. */
export const INGEST_KEY_PREFIX = 'ggi_';

export function newIngestKey(): string {
  return INGEST_KEY_PREFIX + base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** Entries the last-touch memory keeps before it forgets them all (bounded like the JWT cache). */
const MAX_REMEMBERED = 10_000;

/**
 * Checks an ingest key against the control store on every request (a revoked key stops at once; the
 * lookup is one primary-key read) and records its use at most once a minute per key.
 */
export class IngestKeyVerifier {
  private readonly touched = new Map<string, number>();

  constructor(private readonly control: ControlStore) {}

  async verify(key: string, now: number): Promise<IngestClaims> {
    const hash = await hashToken(key);
    const info = await this.control.ingestKeyByHash(hash);
    if (!info) throw new AppError('unauthorized', 'invalid or revoked ingest key');
    const last = this.touched.get(hash);
    if (last === undefined || now - last >= KEY_TOUCH_INTERVAL_MS) {
      if (this.touched.size >= MAX_REMEMBERED) this.touched.clear();
      this.touched.set(hash, now);
      await this.control.touchIngestKey(hash, now);
    }
    return { townId: info.townId, agentId: info.agentId ?? undefined, expiresAt: Number.POSITIVE_INFINITY };
  }
}
