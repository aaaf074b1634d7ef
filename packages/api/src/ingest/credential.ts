import { AppError } from '@gasgauge/core';
import { INGEST_KEY_PREFIX, IngestKeyVerifier, isScrapeKey } from '../auth/ingest-key.js';
import { type Holder, type IngestClaims, IngestVerifier } from '../auth/ingest-token.js';
import { holderUser } from '../auth/user-auth.js';
import { USER_TOKEN_PREFIX } from '../auth/user-token.js';
import type { ApiDeps } from '../deps.js';

/**
 * The one check of an ingest credential, for every write route (usage, loc, events, OTLP): an ingest
 * JWT or a long-lived ingest key (`ggi_…`), never a user token. Both give the same claims (town, and
 * agent when scoped), so every 401/403 rule applies to both alike.
 */
export class IngestCredentials {
  private readonly jwts: IngestVerifier;
  private readonly keys: IngestKeyVerifier;
  private readonly knownTowns = new Set<string>();

  constructor(private readonly deps: ApiDeps) {
    this.jwts = new IngestVerifier(deps.secret);
    this.keys = new IngestKeyVerifier(deps.control, 'ingest', deps.vouch);
  }

  /** The claims of a credential (401 when it is not a valid ingest credential). */
  async claims(credential: string): Promise<IngestClaims> {
    if (credential.startsWith(USER_TOKEN_PREFIX))
      throw new AppError('unauthorized', 'user tokens cannot ingest; use an ingest token');
    if (isScrapeKey(credential))
      throw new AppError('unauthorized', 'scrape keys (ggp_) only read Prometheus metrics; use an ingest key (ggi_)');
    const now = this.deps.clock();
    if (credential.startsWith(INGEST_KEY_PREFIX)) return this.keys.verify(credential, now);
    const claims = await this.jwts.verify(credential, now);
    if (claims.holder) await this.assertHolder(claims.holder, claims.townId);
    return claims;
  }

  /**
   * A token minted through the API writes while the credential that minted it still signs its user in and
   * that user may still read the town: two lookups (on Workers answered from the isolate's access cache).
   */
  private async assertHolder(holder: Holder, townId: string): Promise<void> {
    const user = await holderUser(this.deps.control, holder.credential, this.deps.vouch);
    if (user?.id !== holder.userId)
      throw new AppError(
        'unauthorized',
        'the credential this ingest token was minted with is revoked or signed out; mint another',
      );
    try {
      await this.deps.control.townFor(user, townId);
    } catch (err) {
      if (err instanceof AppError && (err.code === 'not_found' || err.code === 'forbidden'))
        throw new AppError('unauthorized', 'the user who minted this ingest token may no longer read its town');
      throw err;
    }
  }

  /** 403 when the credential is for another town, 404 when the town does not exist. */
  async assertTown(claims: IngestClaims, townId: string): Promise<void> {
    // Named: its holder can read it from the token anyway, and a mistyped --town is then plain to see.
    if (claims.townId !== townId)
      throw new AppError('forbidden', `this token is for town ${claims.townId}, not the one in the URL`, { path: 'townId' });
    if (this.knownTowns.has(townId)) return;
    if (!(await this.deps.control.town(townId))) throw new AppError('not_found', 'town not found', { path: 'townId' });
    this.knownTowns.add(townId); // towns are never deleted, so a town once found stays found
  }
}
