import { AppError, BoundedMap, type IngestKeyInfo, KEY_TOUCH_INTERVAL_MS, type KeyKind } from '@gasgauge/core';
import type { ControlStore } from '../ports/control.js';
import type { CredentialVouch } from '../ports/credential-vouch.js';
import { lookupHash, mintSecret } from './credential-vouch.js';
import type { IngestClaims } from './ingest-token.js';
import { untaggedSecret } from './user-token.js';

/**
 * Long-lived ingest keys: `ggi_` + 32 random bytes + the host's tag (auth/credential-vouch.ts), base64url. Only their
 * SHA-256 is stored. Keys made before tags (43 characters after the prefix) stay valid.
 */
export const INGEST_KEY_PREFIX = 'ggi_';
/**
 * Read-only scrape keys (Prometheus): `ggp_` + 32 random bytes + the tag, as ingest keys. The prefix says the kind
 * before any lookup, and differs from every other secret's (session cookies are `ggs_`), so a secret scanner names
 * what leaked.
 */
export const SCRAPE_KEY_PREFIX = 'ggp_';
/**
 * Scrape keys made before they had their own prefix began `ggs_`, like session cookies. They stay valid
 * (a key is stored as the hash of its whole text, prefix included), so both prefixes are read as scrape keys.
 */
export const LEGACY_SCRAPE_KEY_PREFIX = 'ggs_';
const PREFIX: Record<KeyKind, string> = { ingest: INGEST_KEY_PREFIX, scrape: SCRAPE_KEY_PREFIX };
const ACCEPTED: Record<KeyKind, readonly string[]> = {
  ingest: [INGEST_KEY_PREFIX],
  scrape: [SCRAPE_KEY_PREFIX, LEGACY_SCRAPE_KEY_PREFIX],
};

/** Whether a bearer credential is a scrape key (new or legacy prefix), before any lookup. */
export function isScrapeKey(credential: string): boolean {
  return ACCEPTED.scrape.some((prefix) => credential.startsWith(prefix));
}

/** A key of the untagged shape, which no host vouches for: the server mints with `mintIngestKey` (tests use this). */
export function newIngestKey(kind: KeyKind = 'ingest'): string {
  return untaggedSecret(PREFIX[kind]);
}

/** A new key of `kind`, tagged by the host's vouch. */
export function mintIngestKey(vouch: CredentialVouch | undefined, kind: KeyKind = 'ingest'): Promise<string> {
  return mintSecret(vouch, PREFIX[kind]);
}

/** Entries the last-touch memory keeps; past it the oldest is forgotten (a forgotten key is touched once more). */
const MAX_REMEMBERED = 10_000;

/**
 * How long a verified key is trusted without asking the control store again. A revoke made through this
 * process (this server, this Worker isolate) forgets the key at once; one made elsewhere (another isolate)
 * takes effect within this time.
 */
export const KEY_CACHE_TTL_MS = 30_000;
/** Verified keys remembered at most; past it the oldest is forgotten first. */
export const KEY_CACHE_MAX_ENTRIES = 10_000;

/**
 * Keys the control store said exist, by hash, for KEY_CACHE_TTL_MS from that answer (not from the last
 * use, so a key revoked elsewhere is refused within the TTL however busy it is). Only found keys enter:
 * a refused key is asked again every time, so random keys neither grow the cache nor push out good ones;
 * memory is bounded by KEY_CACHE_MAX_ENTRIES whatever is sent.
 */
export class VerifiedKeys {
  private readonly entries = new BoundedMap<string, { info: IngestKeyInfo; until: number }>(KEY_CACHE_MAX_ENTRIES);
  /** Bumped by every revoke: a lookup that began before it must not cache what it read. */
  private revocations = 0;

  get(hash: string, now: number): IngestKeyInfo | undefined {
    const entry = this.entries.get(hash);
    if (entry === undefined) return undefined;
    if (entry.until > now) return entry.info;
    this.entries.delete(hash);
    return undefined;
  }

  /** Looks the key up in the control store (no cache) and remembers it when found and no revoke came meanwhile. */
  async lookUp(control: ControlStore, hash: string, now: number): Promise<IngestKeyInfo | undefined> {
    const revocations = this.revocations;
    const info = await control.ingestKeyByHash(hash);
    if (info === undefined || revocations !== this.revocations) return info;
    // Deleted first, so a key answered again is the newest entry, the last one forgotten.
    this.entries.delete(hash);
    this.entries.set(hash, { info, until: now + KEY_CACHE_TTL_MS });
    return info;
  }

  /** Forgets a revoked key (by town and name: the hash is not known to whoever revokes it). */
  forget(townId: string, name: string): void {
    this.revocations++;
    for (const [hash, { info }] of this.entries) if (info.townId === townId && info.name === name) this.entries.delete(hash);
  }
}

/**
 * One cache per control store, so the ingest routes, the Prometheus route and the revoke in the tRPC
 * router (built apart, each from the same deps) share it without passing it around.
 */
const caches = new WeakMap<ControlStore, VerifiedKeys>();
export function verifiedKeys(control: ControlStore): VerifiedKeys {
  let cache = caches.get(control);
  if (cache === undefined) {
    cache = new VerifiedKeys();
    caches.set(control, cache);
  }
  return cache;
}

/**
 * Makes `view`, another view of the same store (ApiDeps.freshControl), share `control`'s verified keys:
 * a revoke through a mutation, which runs on the fresh view, must reach what the ingest routes remember.
 */
export function shareVerifiedKeys(view: ControlStore, control: ControlStore): void {
  caches.set(view, verifiedKeys(control));
}

/** Revokes a key and forgets it here at once, so its next request through this process gets a 401. */
export async function revokeIngestKey(control: ControlStore, townId: string, name: string): Promise<void> {
  await control.revokeIngestKey(townId, name);
  verifiedKeys(control).forget(townId, name);
}

/**
 * Checks a key of one kind: from the verified keys (a control-store lookup at most once per
 * KEY_CACHE_TTL_MS per key, which on Workers is a control-object round trip saved on nearly every
 * ingest) and records its use at most once a minute per key. A key of the other kind is a 401: a
 * scrape key never writes, an ingest key never reads.
 */
export class IngestKeyVerifier {
  private readonly touched = new BoundedMap<string, number>(MAX_REMEMBERED);

  constructor(
    private readonly control: ControlStore,
    private readonly kind: KeyKind = 'ingest',
    private readonly vouch?: CredentialVouch,
  ) {}

  async verify(key: string, now: number): Promise<IngestClaims> {
    const info = await this.info(key, now);
    return { townId: info.townId, agentId: info.agentId ?? undefined, expiresAt: Number.POSITIVE_INFINITY };
  }

  /** The key's record (401 when it is unknown, revoked or of the other kind). */
  async info(key: string, now: number): Promise<IngestKeyInfo> {
    if (!ACCEPTED[this.kind].some((prefix) => key.startsWith(prefix)))
      throw new AppError('unauthorized', `a ${this.kind} key (${PREFIX[this.kind]}…) is required here`);
    const hash = await lookupHash(this.vouch, key);
    // Looked up per request, as every dep is: an app's routes are registered before its deps are used.
    const verified = verifiedKeys(this.control);
    const info = verified.get(hash, now) ?? (await verified.lookUp(this.control, hash, now));
    if (!info || info.kind !== this.kind) throw new AppError('unauthorized', `invalid or revoked ${this.kind} key`);
    const last = this.touched.get(hash);
    if (last === undefined || now - last >= KEY_TOUCH_INTERVAL_MS) {
      this.touched.set(hash, now);
      await this.control.touchIngestKey(hash, now);
    }
    return info;
  }
}
