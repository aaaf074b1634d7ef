/**
 * "This town changed" for live viewers (`metrics.live`). The API only publishes and subscribes; the
 * host decides how a change travels: Node fans out in-process (`LiveHub`), a Worker host has each
 * town's Durable Object push to its own subscribers. Subscribers re-read the town themselves, so a
 * change carries no data and changes may be coalesced.
 */
export interface LiveBus {
  /** Wake the town's subscribers now (after a tick, a saved budget, a grant that moved the gas tank). */
  publish(townId: string): void | Promise<void>;
  /** Wake them soon, coalesced (after an ingest: a burst of posts is one push within a second). */
  publishSoon(townId: string): void | Promise<void>;
  /**
   * Yields once per change (changes while the consumer is busy collapse into one) until the signal aborts or the bus closes.
   * `who` (a user id) holds at most MAX_LIVE_PER_USER of the town's streams (and on Node, whose one hub sees
   * every town, at most MAX_LIVE_PER_USER_ALL_TOWNS in all). A stream past a bound is refused (throws, or rejects on a
   * host that opens it remotely) before it is returned: the subscription is refused before its first push.
   */
  changes(
    townId: string,
    signal: AbortSignal | undefined,
    opts?: { who?: string },
  ): AsyncIterable<void> | Promise<AsyncIterable<void>>;
  /**
   * What the town's subscribers push, read once for all of them: `read`'s answer is shared by every subscriber that
   * asks after the same change, within a second of it (Node's one hub sees every stream of a town; on Workers each
   * town's object pushes to its own).
   */
  shared?<T>(townId: string, read: () => Promise<T>): Promise<T>;
}
