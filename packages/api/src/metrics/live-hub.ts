import type { LiveBus } from '../ports/live-bus.js';

/**
 * In-process fan-out of "this town changed" to live subscribers. Ingest calls publishSoon (coalesced,
 * so a burst of posts is one push within COALESCE_MS); the tick calls publish. Subscribers re-read
 * the town's throughput themselves, so a slow subscriber never queues stale values.
 */
export const COALESCE_MS = 200;

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

  /** Yields once per change (changes while the consumer is busy collapse into one) until the signal aborts or the hub closes. */
  async *changes(townId: string, signal: AbortSignal | undefined): AsyncGenerator<void> {
    let wake: (() => void) | undefined;
    let dirty = false;
    const listener = () => {
      dirty = true;
      wake?.();
    };
    const onAbort = () => wake?.();
    let set = this.listeners.get(townId);
    if (!set) {
      set = new Set();
      this.listeners.set(townId, set);
    }
    set.add(listener);
    signal?.addEventListener('abort', onAbort);
    try {
      while (!signal?.aborted && !this.closed) {
        if (!dirty) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        if (signal?.aborted || this.closed) return;
        dirty = false;
        yield;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(townId);
    }
  }

  subscriberCount(townId: string): number {
    return this.listeners.get(townId)?.size ?? 0;
  }
}
