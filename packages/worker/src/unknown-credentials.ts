import type { ControlStore } from '@gasgauge/api';
import { AppError, BoundedMap, BoundedSet } from '@gasgauge/core';

/** See access-cache.ts: control.ts's ControlMethod, not imported (this file is type-checked on the Node side too). */
type ControlMethod = keyof ControlStore;

/**
 * The control store's lookups of a secret by its hash: a user API token, a session cookie, an ingest or scrape
 * key, a login link. Each answers undefined for a secret it does not know.
 */
const LOOKUPS: ReadonlySet<ControlMethod> = new Set<ControlMethod>([
  'userByTokenHash',
  'sessionUserId',
  'ingestKeyByHash',
  'peekLoginLink',
  'consumeLoginLink',
]);

/** Methods that store a new secret, and which argument is its hash: a secret made here is known here from the start. */
const CREATIONS: ReadonlyMap<ControlMethod, number> = new Map<ControlMethod, number>([
  ['createUser', 3],
  ['addToken', 1],
  ['replaceTokens', 1],
  ['createSession', 0],
  ['createIngestKey', 0],
]);

/**
 * Lookups of secrets this isolate has not seen found lately, per second (the bucket refills at this rate) and
 * at most at once (the bucket's size). Random credentials are never cached (access-cache.ts), so without a
 * bound each one a client sends is one call to the deployment's single control object, and a flood of them
 * from one client would queue every user's sign-in and key check behind it. A fresh isolate (after a deploy)
 * meets every real credential for the first time: 200 at once and 100 a second more let a busy isolate's
 * users in within a few seconds; whoever is turned away gets a 429 with Retry-After, which reporters and
 * OTLP exporters retry.
 */
export const UNKNOWN_LOOKUPS_PER_SECOND = 100;
export const UNKNOWN_LOOKUPS_BURST = 200;
/** Secrets remembered as found lately (their hashes): past it the oldest is forgotten first. */
export const KNOWN_SECRETS_MAX = 50_000;
/** How long a secret found once keeps its lookups out of the budget. */
export const KNOWN_SECRETS_TTL_MS = 24 * 3_600_000;

/** Hashes of vouched credentials the control store did not know (revoked, a deleted user's), remembered at most. */
export const REFUSED_VOUCHED_MAX = 10_000;
/** Credentials' vouch checks the Worker app keeps by hash until their lookup (app.ts), at most. */
export const VOUCHED_HASHES_MAX = 10_000;

/** A bounded set of hashes: past `max` the one added (or added again) longest ago is forgotten first. */
export class RecentHashes extends BoundedSet<string> {
  /** Added again, a hash becomes the newest. */
  override add(hash: string): this {
    this.delete(hash);
    return super.add(hash);
  }
}

export interface UnknownCredentialOptions {
  perSecond?: number;
  burst?: number;
  maxKnown?: number;
  knownTtlMs?: number;
  /**
   * Whether the API said the credential hashed to this vouched for itself (its tag: api ports/credential-vouch.ts):
   * such a lookup skips the bucket, unless the store refused that hash before (then it is counted like any other).
   */
  vouched?: (hash: string) => boolean | Promise<boolean>;
  maxRefusedVouched?: number;
  now?: () => number;
}

/**
 * Wraps the store so that lookups of secrets not found lately in this isolate draw on a token bucket, and past
 * it are refused with a 429 before reaching the control object. A secret found once (a real user's token, key
 * or session) is looked up freely for KNOWN_SECRETS_TTL_MS, so a flood of made-up credentials does not lock
 * real users out of the isolate; one found missing again (revoked) loses that, and one stored through this
 * isolate (a sign-in's session, a new token or key) is known from the start. A secret that vouches for itself
 * (`opts.vouched`: its tag checks, so this deployment minted it) is not counted either, so a flood of made-up
 * credentials cannot crowd out a real user this isolate has not seen yet (every user, right after a deploy); once
 * the store has refused a vouched hash (revoked, a deleted user's), it is counted like any other. Every other
 * method passes through. Wrap the store the control object answers, under the access cache, so only lookups that
 * would cross to the control object count.
 *
 * Per isolate: a flood spread over many isolates is bounded per isolate only (ARCHITECTURE.md, Operations: a
 * rate-limiting rule in front of the Worker bounds it across the deployment).
 */
export function boundUnknownCredentials(store: ControlStore, opts: UnknownCredentialOptions = {}): ControlStore {
  const perSecond = opts.perSecond ?? UNKNOWN_LOOKUPS_PER_SECOND;
  const burst = opts.burst ?? UNKNOWN_LOOKUPS_BURST;
  const maxKnown = opts.maxKnown ?? KNOWN_SECRETS_MAX;
  const knownTtlMs = opts.knownTtlMs ?? KNOWN_SECRETS_TTL_MS;
  // Read at each call, not captured: the pool tests move the clock with a spy on Date.now.
  const now = opts.now ?? (() => Date.now());
  /** Hash → until when its lookups are free; past maxKnown the oldest is forgotten. */
  const known = new BoundedMap<string, number>(maxKnown);
  const vouched = opts.vouched ?? (() => false);
  /**
   * Vouched hashes the store did not know: a revoked token or key, a signed-out session, a deleted user's keep their
   * tag, and must not be a free lookup of the control object for ever after.
   */
  const refused = new RecentHashes(opts.maxRefusedVouched ?? REFUSED_VOUCHED_MAX);
  let tokens = burst;
  let filledAt = now();

  const isKnown = (hash: string, at: number): boolean => {
    const until = known.get(hash);
    if (until === undefined) return false;
    if (until > at) return true;
    known.delete(hash);
    return false;
  };

  const take = (at: number): boolean => {
    // A clock set back refills nothing (rather than taking tokens away until it catches up).
    tokens = Math.min(burst, tokens + (Math.max(0, at - filledAt) * perSecond) / 1000);
    filledAt = at;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };

  const remember = (hash: string, found: boolean, at: number): void => {
    known.delete(hash);
    if (!found) return;
    known.set(hash, at + knownTtlMs);
  };

  return new Proxy(store, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      const created = CREATIONS.get(prop as ControlMethod);
      if (created !== undefined) {
        return async (...args: unknown[]) => {
          const answer: unknown = await value.apply(target, args);
          const hash = args[created];
          if (typeof hash === 'string') remember(hash, true, now());
          return answer;
        };
      }
      if (!LOOKUPS.has(prop as ControlMethod)) return value.bind(target);
      return async (hash: unknown, ...rest: unknown[]) => {
        if (typeof hash !== 'string') return value.apply(target, [hash, ...rest]);
        const at = now();
        const known = isKnown(hash, at);
        // Asked only when the lookup would count: a vouch's check computes a MAC.
        const vouches = !known && !refused.has(hash) && (await vouched(hash));
        if (!known && !vouches && !take(at)) {
          throw new AppError(
            'too_many_requests',
            'too many requests with credentials this server has not seen lately; retry shortly',
            {
              path: 'credential',
              retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / perSecond)),
            },
          );
        }
        const answer: unknown = await value.apply(target, [hash, ...rest]);
        // A link is used once: consumed, it is no longer a secret worth a free lookup.
        remember(hash, answer !== undefined && prop !== 'consumeLoginLink', now());
        // So is a consumed link: its tag still checks, but the store will never know it again.
        if ((answer === undefined || prop === 'consumeLoginLink') && (vouches || (await vouched(hash)))) refused.add(hash);
        return answer;
      };
    },
  });
}
