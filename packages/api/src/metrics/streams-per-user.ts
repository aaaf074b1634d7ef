import { AppError, plural } from '@gasgauge/core';

/**
 * Live streams each user holds across towns, up to a cap: the Node host's one LiveHub sees every town, a
 * Worker isolate the streams it serves (each town's Durable Object counts only its own town's).
 */
export class StreamsPerUser {
  /** A user leaves the map when they hold no stream, so it holds at most one entry per open stream. */
  private readonly held = new Map<string, number>();

  constructor(private readonly max: number) {}

  /**
   * Counts a stream of `who`'s, or throws `too_many_requests` (naming `townId`) when they already hold
   * `max`. Returns the stream's release, which counts once however often it is called.
   */
  take(who: string): () => void {
    const n = this.held.get(who) ?? 0;
    if (n >= this.max) {
      throw new AppError(
        'too_many_requests',
        `you already have ${plural(this.max, 'live stream')} open across your towns; close one`,
        {
          path: 'townId',
        },
      );
    }
    this.held.set(who, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.held.get(who) ?? 1) - 1;
      if (left > 0) this.held.set(who, left);
      else this.held.delete(who);
    };
  }
}

/**
 * `stream` with `release` run once it ends, however it ends: read to its end, thrown out of, or returned early,
 * even before its first read (a generator never started never runs its `finally`: a subscription whose first push
 * failed returns its stream so, and tRPC aborts no signal then), `stream` itself ended then too. A release that
 * returns a promise is awaited.
 */
export function releasedAtEnd(stream: AsyncIterable<void>, release: () => void | Promise<void>): AsyncGenerator<void> {
  const inner = stream[Symbol.asyncIterator]();
  let started = false;
  const wrapped = (async function* () {
    started = true;
    try {
      yield* { [Symbol.asyncIterator]: () => inner };
    } finally {
      await release();
    }
  })();
  const returnWrapped = wrapped.return.bind(wrapped);
  wrapped.return = async (value) => {
    await release();
    // Never started, `yield*` never took `stream` and would not end it: it is ended here (on Workers it is the town
    // object's stream, opened before the first push; left open, it held one of the user's places in the town).
    if (!started) await inner.return?.();
    return returnWrapped(value);
  };
  return wrapped;
}
