import { AppError } from '@gasgauge/core';
import type { LiveBus } from '../ports/live-bus.js';

/**
 * In-process fan-out of "this town changed" to live subscribers. Ingest calls publishSoon (coalesced,
 * so a burst of posts is one push within COALESCE_MS); the tick calls publish. Subscribers re-read
 * the town's throughput themselves, so a slow subscriber never queues stale values.
 */
export const COALESCE_MS = 200;
/**
 * Live streams one town may have at once. Each re-reads the town on every push: 1,000 streams of one
 * town took half a core and 200 MB at ten ingests a second, and nothing else bounded them.
 */
export const MAX_LIVE_PER_TOWN = 200;

type Listener = () => void;

/** The Node host's LiveBus: one process, so subscribers are listeners in memory. */
export class LiveHub implements LiveBus {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  private closed = false;

  /** Ends every live stream and refuses new ones (shutdown): their responses finish, so connections can close. */
  close(): void {
    this.closed = true;
    for (const set of this.listeners.values()) for (const l of set) l();
  }

  publish(townId: string): void {
    for (const l of this.listeners.get(townId) ?? []) l();
  }

  publishSoon(townId: string): void {
    if (this.pending.has(townId) || !this.listeners.has(townId)) return;
    this.pending.set(
      townId,
      setTimeout(() => {
        this.pending.delete(townId);
        this.publish(townId);
      }, COALESCE_MS),
    );
  }

  /**
   * Yields once per change (changes while the consumer is busy collapse into one) until the signal aborts
   * or the hub closes. The stream counts against MAX_LIVE_PER_TOWN from this call (past it a `429`), not
   * from its first read, so streams opened together cannot pass the bound; it stops counting when it
   * ends or its signal aborts, whichever comes first, even if it was never read.
   */
  changes(townId: string, signal: AbortSignal | undefined): AsyncGenerator<void> {
    let set = this.listeners.get(townId);
    if ((set?.size ?? 0) >= MAX_LIVE_PER_TOWN) {
      throw new AppError('too_many_requests', `this town already has ${MAX_LIVE_PER_TOWN} live streams open; close one`, {
        path: 'townId',
      });
    }
    if (!set) {
      set = new Set();
      this.listeners.set(townId, set);
    }
    const listeners = set;
    let wake: (() => void) | undefined;
    let dirty = false;
    const listener = () => {
      dirty = true;
      wake?.();
    };
    const release = () => {
      signal?.removeEventListener('abort', onAbort);
      listeners.delete(listener);
      if (listeners.size === 0 && this.listeners.get(townId) === listeners) this.listeners.delete(townId);
    };
    const onAbort = () => {
      release();
      wake?.();
    };
    listeners.add(listener);
    signal?.addEventListener('abort', onAbort);
    if (signal?.aborted) release();
    const closed = () => signal?.aborted === true || this.closed;
    return (async function* () {
      try {
        while (!closed()) {
          if (!dirty) await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          if (closed()) return;
          dirty = false;
          yield;
        }
      } finally {
        release();
      }
    })();
  }

  subscriberCount(townId: string): number {
    return this.listeners.get(townId)?.size ?? 0;
  }
}
