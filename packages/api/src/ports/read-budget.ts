import type { TownHandle } from './town.js';

/**
 * A share of the host's time for each principal's reads. The Node host serves every town from one event
 * loop and answers a town read with synchronous SQLite inside the handle's call, so one user looping an
 * expensive read would hold every other user's request: it charges each read's measured time to whoever
 * asked and refuses a principal whose share is spent. On Workers a town is its own Durable Object, which runs
 * one request at a time: a member looping an expensive read there holds that town's ingest and its other
 * readers, so an isolate charges each read the time until its answer (it cannot see the object's own time).
 */
export interface ReadBudget {
  /**
   * A town call of `principal`'s began; the function returned is called once it has settled. A budget with it
   * (a Worker isolate, whose town calls are RPCs to an object that runs one request at a time) charges the
   * time until answers; without it (Node, where SQLite runs inside the call and the wait after it holds
   * nothing) `charge` gets the synchronous part of each call.
   */
  begin?(principal: string): () => void;
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
/** The principal a town's OTLP exports are charged to (their decoding): every key and token of the town share it. */
export const otlpPrincipal = (townId: string): string => `otlp:${townId}`;

/**
 * The handle with every call timed and charged to `principal`: its synchronous part (on Node, the whole
 * SQLite read: the handle answers before returning its promise), or with a budget that has `begin`, until
 * its answer settles (a Worker's RPC). Without a budget, the handle.
 */
export function chargedHandle(handle: TownHandle, budget: ReadBudget | undefined, principal: string): TownHandle {
  if (!budget) return handle;
  return new Proxy(handle, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const started = performance.now();
        const end = budget.begin?.(principal) ?? (() => budget.charge(principal, performance.now() - started));
        let answer: unknown;
        try {
          answer = value.apply(target, args);
        } catch (err) {
          end();
          throw err;
        }
        if (budget.begin && answer instanceof Promise) return answer.finally(end);
        end();
        return answer;
      };
    },
  });
}
