import type { ControlStore } from '@gasgauge/api';
import { AppError, BoundedMap } from '@gasgauge/core';

/**
 * control.ts's ControlMethod, not imported: this file is also type-checked with the Node-side tests
 * (the root tsconfig), where control.ts's Durable Object types do not exist.
 */
type ControlMethod = keyof ControlStore;

/**
 * How long this isolate trusts the control object's answer about a credential or an access check. A
 * change made through this isolate (sign-out, a new token, a role, a removal) forgets every answer once
 * it is done (one the store refused changed nothing and forgets nothing); one made through another isolate takes effect here within this time (docs/api.md, Limits).
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
 * Two views of one memory: the answers of CACHED, each remembered for `ttlMs` from the answer (not from
 * the last use, so a change made elsewhere is seen within the TTL however busy the key); only answers
 * that found something enter, so random credentials neither grow it nor push out good answers.
 * `cached` answers CACHED from it (reads). `fresh` asks the store every time,
 * for whatever makes a change (a tRPC mutation, a sign-in): a credential or access revoked through
 * another isolate must not make a new credential here (a session, an ingest token or key, a user's
 * token) from an answer remembered before it, which would outlive the TTL by hours or for good. Changes
 * through either view forget every answer.
 */
export function accessCache(store: ControlStore, opts: AccessCacheOptions = {}): { cached: ControlStore; fresh: ControlStore } {
  const ttlMs = opts.ttlMs ?? ACCESS_CACHE_TTL_MS;
  const maxEntries = opts.maxEntries ?? ACCESS_CACHE_MAX_ENTRIES;
  const now = opts.now ?? Date.now;
  const answers = new BoundedMap<string, { value: unknown; until: number }>(maxEntries);
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
    // Frozen: one answer serves many requests, so a caller that changed it would change the others'.
    answers.set(key, { value: Object.freeze(value), until: now() + ttlMs });
    return value;
  };

  /**
   * Answers are forgotten once a change is done, unless the store refused it (an AppError other than
   * internal: nothing changed), so a refused mutation does not empty the memory for everyone. Until then
   * they still serve: the change has not happened for anyone yet. A lookup that overlapped it keeps nothing.
   */
  const change = async (call: () => Promise<unknown>) => {
    changes++;
    changing++;
    let changed = true;
    try {
      return await call();
    } catch (err) {
      if (err instanceof AppError && err.code !== 'internal') changed = false;
      throw err;
    } finally {
      changing--;
      changes++;
      if (changed) answers.clear();
    }
  };

  const view = (fromMemory: boolean) =>
    new Proxy(store, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop, target);
        if (typeof value !== 'function' || typeof prop !== 'string') return value;
        const method = prop as ControlMethod;
        const call = (args: unknown[]) => () => value.apply(target, args) as Promise<unknown>;
        if (CACHED.has(method) && fromMemory) return (...args: unknown[]) => remember(method, call(args), args);
        if (CACHED.has(method) || READS.has(method)) return value.bind(target);
        return (...args: unknown[]) => change(call(args));
      },
    });
  return { cached: view(true), fresh: view(false) };
}
