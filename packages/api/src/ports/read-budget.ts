import type { TownHandle } from './town.js';

/**
 * A share of the host's time for each principal's reads. The Node host serves every town from one event
 * loop and answers a town read with synchronous SQLite inside the handle's call, so one user looping an
 * expensive read would hold every other user's request: it charges each read's measured time to whoever
 * asked and refuses a principal whose share is spent. A Worker host passes none: each town is its own
 * Durable Object, and what a read costs the Worker is an RPC's wait, not a shared loop's time.
 */
export interface ReadBudget {
  /**
   * Throws `too_many_requests` (its `retryAfterSeconds`: whole seconds until the principal may read
   * again) when the principal's share is spent; otherwise returns and the read goes ahead.
   */
  admit(principal: string): void;
  /** Charges `ms` of the host's time to the principal (an admitted read may overdraw: later ones wait longer). */
  charge(principal: string, ms: number): void;
  /**
   * Resolves when an admitted read may run. The bucket bounds a principal's share over seconds; turns
   * bound the wait within them: reads queued behind the loop go round the principals in rotation, so
   * another user's read waits for about one read of each busy principal, not for all of a greedy one's
   * connections. Awaited once a request, after `admit`, so its town calls then run back to back. A read
   * whose `signal` aborts while it waits (its client went away) rejects with `cancelled` and never runs.
   */
  turn(principal: string, signal?: AbortSignal): Promise<void>;
}

/**
 * Lets a read in: refused at once (`too_many_requests`) when the principal's share is spent, else resolves
 * at its turn. Every read route enters through here, so none admits without waiting its turn.
 */
export async function enterRead(budget: ReadBudget | undefined, principal: string, signal?: AbortSignal): Promise<void> {
  if (!budget) return;
  budget.admit(principal);
  await budget.turn(principal, signal);
}

/** The principal a user's reads are charged to (session or API token alike). */
export const userPrincipal = (userId: string): string => `user:${userId}`;
/** The principal a scrape key's reads are charged to: its town, which every key of the town shares. */
export const townPrincipal = (townId: string): string => `town:${townId}`;

/**
 * The handle with the synchronous part of every call (on Node, the whole SQLite read: the handle
 * answers before returning its promise) timed and charged to `principal`. Without a budget, the handle.
 */
export function chargedHandle(handle: TownHandle, budget: ReadBudget | undefined, principal: string): TownHandle {
  if (!budget) return handle;
  return new Proxy(handle, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const started = performance.now();
        try {
          return value.apply(target, args);
        } finally {
          budget.charge(principal, performance.now() - started);
        }
      };
    },
  });
}
