import { AppError, type IngestKeyInfo, KEY_TOUCH_INTERVAL_MS, type KeyKind } from '@gasgauge/core';
import type { ControlStore } from '../ports/control.js';
import type { IngestClaims } from './ingest-token.js';
import { base64url, hashToken } from './user-token.js';

/** Long-lived ingest keys: `ggi_` + 32 random bytes, base64url. Only their SHA-256 is stored. */
export const INGEST_KEY_PREFIX = 'ggi_';
/** Read-only scrape keys (Prometheus): `ggs_` + 32 random bytes. The prefix says the kind before any lookup. */
export const SCRAPE_KEY_PREFIX = 'ggs_';
const PREFIX: Record<KeyKind, string> = { ingest: INGEST_KEY_PREFIX, scrape: SCRAPE_KEY_PREFIX };

export function newIngestKey(kind: KeyKind = 'ingest'): string {
  return PREFIX[kind] + base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** Entries the last-touch memory keeps before it forgets them all (bounded like the JWT cache). */
const MAX_REMEMBERED = 10_000;

/**
 * Checks a key of one kind against the control store on every request (a revoked key stops at once; the
 * lookup is one primary-key read) and records its use at most once a minute per key. A key of the
 * other kind is a 401: a scrape key never writes, an ingest key never reads.
 */
export class IngestKeyVerifier {
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly control: ControlStore,
    private readonly kind: KeyKind = 'ingest',
  ) {}

  async verify(key: string, now: number): Promise<IngestClaims> {
    const info = await this.info(key, now);
    return { townId: info.townId, agentId: info.agentId ?? undefined, expiresAt: Number.POSITIVE_INFINITY };
  }

  /** The key's record (401 when it is unknown, revoked or of the other kind). */
  async info(key: string, now: number): Promise<IngestKeyInfo> {
    if (!key.startsWith(PREFIX[this.kind]))
      throw new AppError('unauthorized', `a ${this.kind} key (${PREFIX[this.kind]}…) is required here`);
    const hash = await hashToken(key);
    const info = await this.control.ingestKeyByHash(hash);
    if (!info || info.kind !== this.kind) throw new AppError('unauthorized', `invalid or revoked ${this.kind} key`);
    const last = this.touched.get(hash);
    if (last === undefined || now - last >= KEY_TOUCH_INTERVAL_MS) {
      if (this.touched.size >= MAX_REMEMBERED) this.touched.clear();
      this.touched.set(hash, now);
      await this.control.touchIngestKey(hash, now);
    }
    return info;
  }
}
