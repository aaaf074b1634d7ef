import { AppError } from '@gasgauge/core';
import { MAX_BUDGET_PRINCIPALS, PrincipalBuckets } from './read-buckets.js';

/**
 * A budget of changes per principal. Every change (a tRPC mutation; a sign-in, a login-link redemption, a
 * sign-out) is a write to the one control store: on Workers the one control Durable Object, which runs one
 * request at a time, and a change also empties the isolate's remembered access answers, so every other user's
 * next request asks that object again. One member looping changes would queue everyone behind the loop; a
 * budget of changes per principal bounds what one of them can take.
 */
export interface ChangeBudget {
  /**
   * Counts one change of `principal`, or throws `too_many_requests` (its `retryAfterSeconds`: whole seconds
   * until the principal may change something again) and counts nothing: the caller then makes no change.
   */
  spend(principal: string): void;
  /**
   * The refusal `spend` would throw for `principal` now, counting nothing; undefined while it has a change left.
   * A tRPC body is read only for a caller with a change left: its parse costs up to ~100 ms of the event loop
   * (1 MiB) before any procedure can count it.
   */
  refusal(principal: string): AppError | undefined;
}

/**
 * Changes a principal may make at once. What a real session does: a page action is one change (save a
 * budget, add a member, create a key, mint a token), and the busiest thing a person does in the web UI, setting
 * up an organisation (create it, invite a dozen members, set their roles, create a town, a key, a budget and
 * alert settings), is about 40 changes within a minute or two. 60 lets all of that through at once, never a
 * refusal for clicking; a script making changes in a loop meets it after 60.
 */
export const DEFAULT_CHANGE_BUDGET_BURST = 60;
/**
 * Changes a principal earns back a minute: 2 a second, sustained. No person clicks that fast for long; a script
 * provisioning users or towns through the API goes on at that pace (after its first 60, each 429 says when to
 * retry). A control write takes about a millisecond of the control object, so a thousand members each at their
 * ceiling would still leave it most of its time.
 */
export const DEFAULT_CHANGE_BUDGET_PER_MINUTE = 120;
/** The largest burst a host may be given (`--change-budget`, `CHANGE_BUDGET_BURST`): tests raise it so. */
export const MAX_CHANGE_BUDGET_BURST = 1_000_000;
/** The fastest refill a host may be given (`--change-budget-per-min`, `CHANGE_BUDGET_PER_MIN`); 0 is no budget. */
export const MAX_CHANGE_BUDGET_PER_MINUTE = 1_000_000;

export interface ChangeBucketsOptions {
  /** Changes each principal earns back a minute (> 0). */
  perMinute: number;
  /** Changes a principal may make at once (≥ 1). */
  burst: number;
  /** Principals tracked at most (default MAX_BUDGET_PRINCIPALS: the least recently seen is forgotten, full). */
  maxPrincipals?: number;
  /** A monotonic clock in milliseconds (default `performance.now`); tests pass their own. */
  now?: () => number;
}

/** A change budget: a token bucket of changes per principal (ReadBuckets' buckets, counting changes, not milliseconds). */
export class ChangeBuckets implements ChangeBudget {
  private readonly buckets: PrincipalBuckets;

  constructor(private readonly opts: ChangeBucketsOptions) {
    if (!(opts.perMinute > 0) || !(opts.burst >= 1))
      throw new RangeError('a change budget needs a positive rate and a burst of at least 1');
    this.buckets = new PrincipalBuckets(
      opts.perMinute / 60,
      opts.burst,
      opts.maxPrincipals ?? MAX_BUDGET_PRINCIPALS,
      opts.now ?? (() => performance.now()),
    );
  }

  spend(principal: string): void {
    const bucket = this.buckets.level(principal);
    if (bucket.left < 1) throw this.refused(bucket.left);
    bucket.left -= 1;
  }

  refusal(principal: string): AppError | undefined {
    const { left } = this.buckets.level(principal);
    return left < 1 ? this.refused(left) : undefined;
  }

  private refused(left: number): AppError {
    const seconds = Math.max(1, Math.ceil(((1 - left) * 60) / this.opts.perMinute));
    return new AppError(
      'too_many_requests',
      `change budget spent: you have made more changes than your share (${this.opts.burst} at once, ${this.opts.perMinute} a minute); nothing was changed; retry in ${seconds} s`,
      { retryAfterSeconds: seconds },
    );
  }

  /** How many principals are tracked (the bound's test). */
  get size(): number {
    return this.buckets.size;
  }
}

/**
 * The host's change budget from its settings: `perMinute` 0 is none (every change goes through), as
 * `--read-budget-ms-per-s 0` is no read budget.
 */
export function changeBudgetOf(burst: number, perMinute: number): ChangeBudget | undefined {
  return perMinute > 0 ? new ChangeBuckets({ burst, perMinute }) : undefined;
}
