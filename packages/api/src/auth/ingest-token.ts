import { AppError, BoundedMap } from '@gasgauge/core';
import { errors, jwtVerify, SignJWT } from 'jose';

/** Containers write with short-lived JWTs; eight hours is the longest a token may live. */
export const MAX_INGEST_TTL_SECONDS = 8 * 3600;
export const INGEST_SCOPE = 'ingest';
/** How far ahead of the server's clock a minting host's clock may run (its `iat` in the future). */
export const MAX_IAT_SKEW_SECONDS = 60;

export interface IngestClaims {
  townId: string;
  agentId: string | undefined;
  expiresAt: number;
  /** Who minted it through the API, and with which credential (see Holder); absent for the CLI's. */
  holder?: Holder | undefined;
}

/**
 * The user who minted an ingest token through the API and the credential they used: `t:` and an API
 * token's SHA-256, or `s:` and a session's (hashes only: the JWT holds nothing that signs anyone in).
 * The token writes while that credential holds and the user may read the town: replacing a leaked
 * token, signing out or a removal from the organisation ends it, not only its `exp`.
 */
export interface Holder {
  userId: string;
  credential: string;
}

export async function mintIngestToken(
  secret: Uint8Array,
  opts: { townId: string; agentId?: string | undefined; ttlSeconds: number; now: number; holder?: Holder | undefined },
): Promise<{ token: string; expiresAt: number }> {
  if (!Number.isInteger(opts.ttlSeconds) || opts.ttlSeconds < 1 || opts.ttlSeconds > MAX_INGEST_TTL_SECONDS) {
    throw new AppError('bad_request', `ttl must be 1 s to ${MAX_INGEST_TTL_SECONDS / 3600} h`, { path: 'ttlSeconds' });
  }
  const iat = Math.floor(opts.now / 1000);
  const exp = iat + opts.ttlSeconds;
  const claims = {
    town: opts.townId,
    scope: INGEST_SCOPE,
    ...(opts.agentId === undefined ? {} : { agent: opts.agentId }),
    ...(opts.holder === undefined ? {} : { sub: opts.holder.userId, crd: opts.holder.credential }),
  };
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(secret);
  return { token, expiresAt: exp * 1000 };
}

/**
 * Verifies signature, algorithm, scope and expiry. Verified tokens are remembered until they expire,
 * so a reporter posting every second pays for one HMAC, not one per request.
 */
export class IngestVerifier {
  private readonly cache = new BoundedMap<string, IngestClaims>(10_000);

  constructor(private readonly secret: Uint8Array) {}

  async verify(token: string, now: number): Promise<IngestClaims> {
    const cached = this.cache.get(token);
    if (cached) {
      if (cached.expiresAt > now) return cached;
      this.cache.delete(token);
    }
    const claims = await this.verifyUncached(token, now);
    this.cache.set(token, claims);
    return claims;
  }

  private async verifyUncached(token: string, now: number): Promise<IngestClaims> {
    try {
      const { payload } = await jwtVerify(token, this.secret, {
        algorithms: ['HS256'],
        currentDate: new Date(now),
        requiredClaims: ['exp', 'iat', 'town', 'scope'],
      });
      const { town, agent, scope, exp, iat, sub, crd } = payload;
      if (scope !== INGEST_SCOPE || typeof town !== 'string') throw new AppError('unauthorized', 'not an ingest token');
      if (agent !== undefined && typeof agent !== 'string') throw new AppError('unauthorized', 'malformed agent claim');
      if ((sub !== undefined || crd !== undefined) && (typeof sub !== 'string' || typeof crd !== 'string'))
        throw new AppError('unauthorized', 'malformed holder claims');
      if ((exp as number) - (iat as number) > MAX_INGEST_TTL_SECONDS)
        throw new AppError('unauthorized', 'token lives longer than 8 h');
      // Without this, a far-future iat (and exp 8 h after it) would make a token that lives for years.
      if ((iat as number) > now / 1000 + MAX_IAT_SKEW_SECONDS) throw new AppError('unauthorized', 'token issued in the future');
      return {
        townId: town,
        agentId: agent as string | undefined,
        expiresAt: (exp as number) * 1000,
        holder: typeof sub === 'string' && typeof crd === 'string' ? { userId: sub, credential: crd } : undefined,
      };
    } catch (err) {
      if (err instanceof AppError) throw err;
      const message = err instanceof errors.JWTExpired ? 'ingest token expired' : 'invalid ingest token';
      throw new AppError('unauthorized', message, { cause: err });
    }
  }
}
