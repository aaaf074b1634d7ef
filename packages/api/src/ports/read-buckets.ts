import { AppError, BoundedMap } from '@gasgauge/core';
import type { ReadBudget } from './read-budget.js';

/**
 * Time each principal's reads may take, sustained: half the Node server's loop (or half a Worker town object's
 * time, as an isolate sees it), so however hard one user loops reads, everyone else's requests still get at
 * least the other half.
 */
export const DEFAULT_READ_BUDGET_MS_PER_S = 500;
/**
 * What a principal with a full bucket may spend at once: the slowest read measured on a big town
 * (a 30-day `metrics.breakdown` on 10,000 agents × 200 models, 0.8–1.4 s) goes through from full, with room
 * for the page's other reads; a user who opens a page after a pause never waits.
 */
export const DEFAULT_READ_BUDGET_BURST_MS = 2_000;
/**
 * Principals tracked at most (~100 bytes each), by the read budget and the change budget alike. Past it the least
 * recently seen is forgotten: untouched longest, its bucket has most likely refilled to full, which is what a
 * forgotten principal starts with.
 */
export const MAX_BUDGET_PRINCIPALS = 10_000;

export interface ReadBucketsOptions {
  /** Refill rate: milliseconds of reading each principal earns per second (> 0). */
  msPerSecond: number;
  /** Bucket size in milliseconds (> 0): what a principal may spend at once. */
  burstMs: number;
  /** Principals tracked at most (default MAX_BUDGET_PRINCIPALS). */
  maxPrincipals?: number;
  /** A monotonic clock in milliseconds (default `performance.now`); tests pass their own. */
  now?: () => number;
  /**
   * Admitted reads wait for their turn here (the Node host's ReadTurns, round the principals on its one
   * loop); without it a read goes ahead at once (a Worker isolate, whose reads wait on RPCs, not on a loop).
   */
  turns?: Pick<ReadBudget, 'turn'>;
}

/**
 * A Worker isolate's town calls under way at once per principal (AnswerTimeBuckets.begin): a browser's six
 * connections of full tRPC batches (60) fit; past it a call is refused, not sent to the object's queue.
 */
export const MAX_TOWN_CALLS_UNDER_WAY = 64;

/** One principal's bucket. */
export interface Bucket {
  /** Units left (a read budget's milliseconds, a change budget's changes); below zero after an admitted read overdrew it. */
  left: number;
  /** When `left` was last brought up to date. */
  at: number;
}

/**
 * Token buckets of some unit per principal, refilled at `perSecond` up to `burst`, for at most `maxPrincipals`
 * principals: past the bound the least recently seen is forgotten (untouched longest, its bucket has most likely
 * refilled to full, which is what a forgotten principal starts with). What a unit is and when a principal is
 * refused is the user's (ReadBuckets: milliseconds; ChangeBuckets: changes).
 */
export class PrincipalBuckets {
  /** Each principal's bucket, the one used last the newest. */
  private readonly buckets: BoundedMap<string, Bucket>;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    maxPrincipals: number,
    private readonly now: () => number,
  ) {
    this.buckets = new BoundedMap(maxPrincipals);
  }

  /** The principal's bucket refilled up to now, made the most recently seen (a new one starts full). */
  level(principal: string): Bucket {
    const now = this.now();
    const found = this.buckets.get(principal);
    if (found) {
      this.buckets.delete(principal);
      found.left = Math.min(this.burst, found.left + ((now - found.at) * this.perSecond) / 1000);
      found.at = now;
      this.buckets.set(principal, found);
      return found;
    }
    const fresh = { left: this.burst, at: now };
    this.buckets.set(principal, fresh);
    return fresh;
  }

  /** How many principals are tracked. */
  get size(): number {
    return this.buckets.size;
  }
}

/**
 * A read budget: a token bucket of milliseconds per principal. A read is admitted while its principal's
 * bucket holds anything; its measured time is charged afterwards, so one expensive read may overdraw, and
 * the principal's next read waits until the debt is earned back. On Node admitted reads then run in turns
 * (ReadTurns), round the principals.
 */
export class ReadBuckets implements ReadBudget {
  /** Each principal's bucket of milliseconds. */
  private readonly buckets: PrincipalBuckets;
  private readonly turns: Pick<ReadBudget, 'turn'> | undefined;
  protected readonly now: () => number;

  constructor(private readonly opts: ReadBucketsOptions) {
    if (!(opts.msPerSecond > 0) || !(opts.burstMs > 0)) throw new RangeError('a read budget needs a positive rate and burst');
    this.now = opts.now ?? (() => performance.now());
    this.buckets = new PrincipalBuckets(opts.msPerSecond, opts.burstMs, opts.maxPrincipals ?? MAX_BUDGET_PRINCIPALS, this.now);
    this.turns = opts.turns;
  }

  admit(principal: string): void {
    const left = this.buckets.level(principal).left;
    if (left > 0) return;
    const seconds = Math.max(1, Math.ceil(-left / this.opts.msPerSecond));
    throw new AppError(
      'too_many_requests',
      `read budget spent: your reads have held the server for more than their share (${this.opts.msPerSecond} ms a second, ${this.opts.burstMs} ms at once); retry in ${seconds} s`,
      { retryAfterSeconds: seconds },
    );
  }

  charge(principal: string, ms: number): void {
    this.buckets.level(principal).left -= ms;
  }

  async turn(principal: string, signal?: AbortSignal): Promise<void> {
    await this.turns?.turn(principal, signal);
  }

  /** How many principals are tracked (the bound's test). */
  get size(): number {
    return this.buckets.size;
  }
}

/**
 * The Worker isolate's read budget: the time a principal's town calls were under way, as the isolate sees it
 * (an RPC's wait is the town object's time, with whatever queued before it there; the object runs one request
 * at a time, so a member looping an expensive read holds that town's ingest and other readers). Overlapping
 * calls of one principal are charged once for the time any was under way, not each for its own wait: ten reads
 * of a page's batch, queued one behind another in the object, cost the object's time for the ten, not ten
 * times the first's wait plus nine times the second's… A span still under way is charged up to now at each
 * admit, so a principal who always keeps one read going is refused all the same.
 */
export class AnswerTimeBuckets extends ReadBuckets {
  /** Principals with calls under way: how many, and since when they are charged up to. */
  private readonly spans = new Map<string, { calls: number; since: number }>();
  private readonly maxUnderWay: number;

  constructor(opts: ReadBucketsOptions & { maxCallsUnderWay?: number }) {
    super(opts);
    this.maxUnderWay = opts.maxCallsUnderWay ?? MAX_TOWN_CALLS_UNDER_WAY;
  }

  override admit(principal: string): void {
    this.chargeSpan(principal);
    super.admit(principal);
  }

  /**
   * Throws `too_many_requests` when the principal already has `maxCallsUnderWay` town calls under way here:
   * calls sent at once are all admitted from a full bucket (each is charged only as time passes), and the
   * object runs them one after another, so without it one member's 4,000 reads sent together held the town's
   * ingest for 22 s however small the bucket.
   */
  begin(principal: string): () => void {
    const span = this.spans.get(principal);
    if (span && span.calls >= this.maxUnderWay) {
      throw new AppError(
        'too_many_requests',
        `too many of your reads are under way (${this.maxUnderWay} at once); retry in 1 s`,
        { retryAfterSeconds: 1 },
      );
    }
    if (span) span.calls++;
    else this.spans.set(principal, { calls: 1, since: this.now() });
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const open = this.chargeSpan(principal);
      if (open && --open.calls === 0) this.spans.delete(principal);
    };
  }

  /** Charges the principal's span under way up to now; its span, if any. */
  private chargeSpan(principal: string): { calls: number; since: number } | undefined {
    const span = this.spans.get(principal);
    if (!span) return undefined;
    const now = this.now();
    this.charge(principal, now - span.since);
    span.since = now;
    return span;
  }
}
