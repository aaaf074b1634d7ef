export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  /** 0..1; tests pass a fixed value. */
  random?: () => number;
}

/**
 * Exponential backoff with full jitter (a uniformly random wait up to base·2^attempt, capped): many
 * reporters that lost the same server do not come back in lockstep. A Retry-After from the server is a
 * floor, not a replacement, so the jitter still spreads them.
 */
export class Backoff {
  private attempt = 0;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly random: () => number;

  constructor(opts: BackoffOptions = {}) {
    this.baseMs = opts.baseMs ?? 500;
    this.maxMs = opts.maxMs ?? 60_000;
    this.random = opts.random ?? Math.random;
  }

  /** The wait before the next try, after a failure. */
  next(retryAfterMs?: number): number {
    const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    const jittered = Math.round(this.random() * ceiling);
    return retryAfterMs === undefined ? jittered : Math.max(retryAfterMs, jittered);
  }

  reset(): void {
    this.attempt = 0;
  }

  get failures(): number {
    return this.attempt;
  }
}

/**
 * The longest Retry-After honoured: a longer one (a proxy's, a typo) is held at an hour. Past 2^31 ms
 * (24.8 days) Node's timers fire at once instead, warning each time: `Retry-After: 99999999999` made a
 * running reporter wake every millisecond and write 100 KB of warnings a second, for good.
 */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/** Retry-After as seconds or an HTTP date, in ms from now (at most MAX_RETRY_AFTER_MS); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Math.min(MAX_RETRY_AFTER_MS, Number(v) * 1000);
  // biome-ignore lint/plugin/no-date-parse: an HTTP date (RFC 9110's IMF-fixdate) always names GMT; RFC 3339 parsing does not apply
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.min(MAX_RETRY_AFTER_MS, Math.max(0, at - now));
}
