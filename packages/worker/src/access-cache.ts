import type { ControlStore } from '@gasgauge/api';

/**
 * As control.ts names it, but not imported from there: control.ts needs workerd's types, and this file is
 * also type-checked by the root project through its Node test (node/access-cache.test.ts).
 */
type ControlMethod = keyof ControlStore;

/**
 * How long this isolate trusts the control object's answer about a credential or an access check. A
 * change made through this isolate (sign-out, a new token, a role, a removal) forgets every answer at
 * once; one made through another isolate takes effect here within this time (docs/api.md, Limits).
 */
export const ACCESS_CACHE_TTL_MS = 10_000;
/** Answers remembered at most; past it the oldest is forgotten first. */
export const ACCESS_CACHE_MAX_ENTRIES = 10_000;

/**
 * What every authenticated read asks first: who the credential is, and whether they may see the town,
 * organisation or account. Without the cache each read is 2–3 RPCs to the one control object (the
 * ceiling of a whole deployment's reads), and a live stream's check before each push one more.
 */
const CACHED: ReadonlySet<ControlMethod> = new Set<ControlMethod>([
  'userByTokenHash',
  'sessionUserId',
  'userById',
  'townFor',
  'orgFor',
  'accountFor',
]);

/**
 * Methods that change nothing cached, so they pass straight through. Every other method not in CACHED is taken as a
 * change and forgets all answers, so a method added later is safe by default.
 */
const READS: ReadonlySet<ControlMethod> = new Set<ControlMethod>([
  'ping',
  'userByName',
  'peekLoginLink',
  'assertMayAssignRole',
  'town',
  'townsOf',
  'townIdsOfAccount',
  'orgById',
  'orgsOf',
  'orgMembers',
  'orgMemberByName',
  'orgInvitations',
  'ingestKeyByHash',
  'listIngestKeys',
  'balance',
  'gasTank',
  'ledgerEntries',
  'alerts',
  'alertSettings',
  // A change, but to a key's last use, which no cached answer depends on (and it comes once a minute per key).
  'touchIngestKey',
]);

export interface AccessCacheOptions {
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

/** A call's arguments as one key: a user by id and admin flag (what access depends on), the rest as given. */
function keyOf(method: string, args: readonly unknown[]): string {
  return JSON.stringify([
    method,
    ...args.map((a) => (typeof a === 'object' && a !== null && 'id' in a && 'isAdmin' in a ? ['user', a.id, a.isAdmin] : a)),
  ]);
}

/**
 * The control store with the answers of CACHED remembered for `ttlMs` from the answer (not from the last
 * use, so a change made elsewhere is seen within the TTL however busy the key). Only answers that found
 * something enter: an unknown credential or a refused check asks again every time, so random credentials
 * neither grow the cache nor push out good answers.
 */
export function cachedAccess(store: ControlStore, opts: AccessCacheOptions = {}): ControlStore {
  const ttlMs = opts.ttlMs ?? ACCESS_CACHE_TTL_MS;
  const maxEntries = opts.maxEntries ?? ACCESS_CACHE_MAX_ENTRIES;
  const now = opts.now ?? Date.now;
  const answers = new Map<string, { value: unknown; until: number }>();
  /** Bumped when a change starts and when it ends: a lookup that overlapped one must not keep what it read. */
  let changes = 0;
  let changing = 0;

  const remember = async (method: ControlMethod, call: () => Promise<unknown>, args: readonly unknown[]) => {
    const key = keyOf(method, args);
    const hit = answers.get(key);
    if (hit !== undefined) {
      if (hit.until > now()) return hit.value;
      answers.delete(key);
    }
    const seen = changes;
    const value = await call();
    if (value === undefined || seen !== changes || changing > 0) return value;
    if (answers.size >= maxEntries) {
      // Maps iterate in insertion order: the first entry is the oldest answer.
      const oldest = answers.keys().next();
      if (!oldest.done) answers.delete(oldest.value);
    }
    // Frozen: one answer serves many requests, so a caller that changed it would change the others'.
    answers.set(key, { value: Object.freeze(value), until: now() + ttlMs });
    return value;
  };

  const change = async (call: () => Promise<unknown>) => {
    changes++;
    changing++;
    answers.clear();
    try {
      return await call();
    } finally {
      changing--;
      changes++;
      answers.clear();
    }
  };

  return new Proxy(store, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      const method = prop as ControlMethod;
      const call = (args: unknown[]) => () => value.apply(target, args) as Promise<unknown>;
      if (CACHED.has(method)) return (...args: unknown[]) => remember(method, call(args), args);
      if (READS.has(method)) return value.bind(target);
      return (...args: unknown[]) => change(call(args));
    },
  });
}
