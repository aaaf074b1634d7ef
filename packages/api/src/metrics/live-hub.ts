import { AppError } from '@gasgauge/core';
import type { LiveBus } from '../ports/live-bus.js';
import { releasedAtEnd, StreamsPerUser } from './streams-per-user.js';

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
/**
 * Of those, what one user may hold: without it one reader of a town (an organisation's member) opened all
 * 200 and every other viewer of the town, its owners included, was refused for as long as they held them.
 */
export const MAX_LIVE_PER_USER = 20;
/**
 * What one user may hold across all towns of one Node server. A user who may read hundreds of towns (an
 * organisation's member) could otherwise open MAX_LIVE_PER_USER of each: 20 × 300 towns is 6,000 streams,
 * each re-reading its town on every push (1,000 of one town took half a core). 50 is an Overview tab on each of 50
 * towns, more than a person watches, and a twentieth of that cost. On Workers each town's Durable Object has a
 * hub of its own, so each isolate counts the streams it serves (worker/src/towns.ts, doLive; docs/api.md).
 */
export const MAX_LIVE_PER_USER_ALL_TOWNS = 50;
/**
 * How long one live stream lasts; then it ends and the viewer opens another (the web UI does so at once).
 * A stream whose reader is gone without saying so (a Worker isolate evicted before it closed its town
 * object's stream, a client whose connection died silently) stops counting against MAX_LIVE_PER_TOWN
 * by then at the latest, even if nothing ever reads it again.
 */
export const LIVE_STREAM_MAX_MS = 10 * 60_000;
/**
 * How long one push's read is shared by the town's streams (`shared`), after the same change. Every stream re-read
 * the town on each push: 20 streams of one town whose agents' window was full (4 ms a read) while its holder
 * ingested every 50 ms took a third of the server's one core; 200 would take more than all of it.
 */
export const SHARED_READ_MS = 1_000;

/** One stream: told of each change, and ended by its lifetime, its signal or the hub's close. */
type Listener = { change: () => void; end: () => void; who: string | undefined };

/** The Node host's LiveBus: one process, so subscribers are listeners in memory. */
export class LiveHub implements LiveBus {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  /** Changes published per town with streams, and the read their streams share (`shared`). */
  private readonly generations = new Map<string, number>();
  private readonly reads = new Map<string, { generation: number; at: number; value: Promise<unknown> }>();
  /** Streams each user holds, across all towns (MAX_LIVE_PER_USER_ALL_TOWNS). */
  private readonly perUser = new StreamsPerUser(MAX_LIVE_PER_USER_ALL_TOWNS);
  private readonly maxStreamMs: number;
  private closed = false;

  /** `maxStreamMs`: each stream's lifetime (LIVE_STREAM_MAX_MS); tests shorten it. */
  constructor(opts: { maxStreamMs?: number } = {}) {
    this.maxStreamMs = opts.maxStreamMs ?? LIVE_STREAM_MAX_MS;
  }

  /** Ends every live stream and refuses new ones (shutdown): their responses finish, so connections can close. */
  close(): void {
    this.closed = true;
    for (const set of [...this.listeners.values()]) for (const l of [...set]) l.end();
  }

  publish(townId: string): void {
    const listeners = this.listeners.get(townId);
    if (!listeners) return;
    this.generations.set(townId, (this.generations.get(townId) ?? 0) + 1);
    for (const l of listeners) l.change();
  }

  /** One read for every stream of the town that asks after the same change, within SHARED_READ_MS of the first. */
  shared<T>(townId: string, read: () => Promise<T>): Promise<T> {
    const generation = this.generations.get(townId) ?? 0;
    const now = performance.now();
    const last = this.reads.get(townId);
    if (last && last.generation === generation && now - last.at < SHARED_READ_MS && this.listeners.has(townId))
      return last.value as Promise<T>;
    const value = read();
    if (!this.listeners.has(townId)) return value;
    this.reads.set(townId, { generation, at: now, value });
    // A failed read is not shared past its own callers: the next asks again.
    value.catch(() => {
      if (this.reads.get(townId)?.value === value) this.reads.delete(townId);
    });
    return value;
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
   * Yields once per change (changes while the consumer is busy collapse into one) until the signal aborts,
   * the stream's lifetime passes or the hub closes. The stream counts against MAX_LIVE_PER_TOWN from this call (past it a `429`), not
   * from its first read, so streams opened together cannot pass the bound; it stops counting when it
   * ends, its signal aborts or its lifetime (maxStreamMs) passes, whichever comes first, even if it was
   * never read; `onRelease` is then called once.
   */
  changes(
    townId: string,
    signal: AbortSignal | undefined,
    { who, onRelease }: { who?: string | undefined; onRelease?: () => void } = {},
  ): AsyncGenerator<void> {
    let set = this.listeners.get(townId);
    if ((set?.size ?? 0) >= MAX_LIVE_PER_TOWN) {
      throw new AppError('too_many_requests', `this town already has ${MAX_LIVE_PER_TOWN} live streams open; close one`, {
        path: 'townId',
      });
    }
    if (who !== undefined && set && [...set].filter((l) => l.who === who).length >= MAX_LIVE_PER_USER) {
      throw new AppError('too_many_requests', `you already have ${MAX_LIVE_PER_USER} live streams of this town open; close one`, {
        path: 'townId',
      });
    }
    const releaseUser = who === undefined ? undefined : this.perUser.take(who);
    if (!set) {
      set = new Set();
      this.listeners.set(townId, set);
    }
    const listeners = set;
    let wake: (() => void) | undefined;
    let dirty = false;
    let ended = false;
    const release = () => {
      clearTimeout(lifetime);
      signal?.removeEventListener('abort', onEnd);
      if (!listeners.delete(listener)) return;
      if (listeners.size === 0 && this.listeners.get(townId) === listeners) {
        this.listeners.delete(townId);
        this.generations.delete(townId);
        this.reads.delete(townId);
      }
      releaseUser?.();
      onRelease?.();
    };
    const onEnd = () => {
      ended = true;
      release();
      wake?.();
    };
    const listener: Listener = {
      change: () => {
        dirty = true;
        wake?.();
      },
      end: onEnd,
      who,
    };
    listeners.add(listener);
    // A timer, not a check at the next read: a stream nobody reads any more must stop counting too.
    const lifetime = setTimeout(onEnd, this.maxStreamMs);
    signal?.addEventListener('abort', onEnd);
    if (signal?.aborted || this.closed) onEnd();
    // Released when it ends, its signal aborts or its lifetime passes, and when returned before its first read.
    return releasedAtEnd(
      (async function* () {
        while (!ended) {
          if (!dirty) await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          if (ended) return;
          dirty = false;
          yield;
        }
      })(),
      release,
    );
  }

  subscriberCount(townId: string): number {
    return this.listeners.get(townId)?.size ?? 0;
  }
}
