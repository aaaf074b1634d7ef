import type { Socket } from 'node:net';
import { plural } from '@gasgauge/core';

/**
 * Bytes of answers the server holds at most, over all connections, that their clients have not yet read
 * (handed to a response but not yet to the operating system). An answer waits in the server's memory, whole,
 * until its client reads it, and nothing else bounds how long: 20 connections that each asked for a few tRPC
 * batches of ten 5,000-point timeseries (7.4 MB an answer) and read nothing held 440 MB for as long as they
 * stayed open, and one user's read budget alone lets more such answers pile up at ~20 MB a second.
 */
export const MAX_UNSENT_ANSWER_BYTES = 128 * 1024 * 1024;

/**
 * A connection is closed for its unread answers only once it has held unsent bytes this long without its client
 * reading them all: a client reading an answer is never cut because others' answers are big at the same moment.
 */
export const UNSENT_ANSWER_GRACE_MS = 10_000;

/** How often at most a line says connections were closed for their unread answers. */
const LOG_EVERY_MS = 60_000;

/** What this needs of a Node response (ServerResponse or an HTTP/2 compat response). */
interface Outgoing {
  write(...args: unknown[]): boolean;
  end(...args: unknown[]): unknown;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

/**
 * Counts the bytes of answers not yet handed to the operating system, per connection. When an answer is written while
 * the total is past `max`, the connections that have held unsent bytes the longest, and for at least `graceMs`, are
 * closed (their answers dropped) until it fits: a client that stopped reading is the oldest, while one reading its
 * answers empties what it holds and starts again from the newest. So the server holds at most `max`, plus what was
 * written in the last `graceMs`.
 */
export class UnsentAnswers {
  private total = 0;
  /** Connections with unsent bytes, in the order they began to hold them (the oldest first). */
  private readonly held = new Map<Socket, { bytes: number; since: number }>();
  private readonly closed = new WeakSet<Socket>();
  /** Connections whose close is watched: what they held is dropped then, answered or not (a pipelined answer never handed to the connection has no close of its own). */
  private readonly watched = new WeakSet<Socket>();
  private fitting = false;
  private closedSinceLog = 0;
  private lastLogAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly max = MAX_UNSENT_ANSWER_BYTES,
    private readonly log: (line: string) => void = () => {},
    private readonly graceMs = UNSENT_ANSWER_GRACE_MS,
  ) {}

  /** Bytes held now (for tests). */
  bytes(): number {
    return this.total;
  }

  /** Counts what is written to this response until it is handed to the operating system (or the connection closes). */
  track(socket: Socket, outgoing: Outgoing): void {
    if (!this.watched.has(socket)) {
      this.watched.add(socket);
      socket.once('close', () => {
        this.closed.add(socket);
        const entry = this.held.get(socket);
        if (!entry) return;
        this.held.delete(socket);
        this.total -= entry.bytes;
      });
    }
    let pending = 0;
    const release = (n: number) => {
      const d = Math.min(n, pending);
      if (d <= 0) return;
      pending -= d;
      const entry = this.held.get(socket);
      if (!entry) return;
      entry.bytes -= d;
      this.total -= d;
      if (entry.bytes <= 0) this.held.delete(socket);
    };
    const add = (chunk: unknown): number => {
      const n = byteLength(chunk);
      if (n === 0 || this.closed.has(socket)) return 0;
      pending += n;
      const entry = this.held.get(socket);
      if (entry) entry.bytes += n;
      else this.held.set(socket, { bytes: n, since: performance.now() });
      this.total += n;
      if (this.total > this.max) this.fit();
      return n;
    };
    const write = outgoing.write;
    outgoing.write = function (this: Outgoing, chunk: unknown, ...rest: unknown[]): boolean {
      const n = add(chunk);
      const i = rest.findIndex((a) => typeof a === 'function');
      const cb = i === -1 ? undefined : (rest[i] as (err?: Error | null) => void);
      const args = i === -1 ? rest : rest.slice(0, i);
      const ok = write.call(this, chunk, ...args, (err?: Error | null) => {
        release(n);
        cb?.(err);
      });
      return ok;
    };
    const end = outgoing.end;
    outgoing.end = function (this: Outgoing, ...args: unknown[]): unknown {
      if (args.length > 0 && typeof args[0] !== 'function') add(args[0]);
      return end.apply(this, args);
    };
    const done = () => release(pending);
    outgoing.once('finish', done);
    outgoing.once('close', done);
  }

  /**
   * Once the total is past max: closes the longest-held connections until it fits, in a microtask (not inside the
   * write that passed it).
   */
  private fit(): void {
    if (this.fitting) return;
    this.fitting = true;
    queueMicrotask(() => {
      this.fitting = false;
      const now = performance.now();
      for (const [socket, entry] of this.held) {
        if (this.total <= this.max || now - entry.since < this.graceMs) break;
        this.held.delete(socket);
        this.total -= entry.bytes;
        this.closed.add(socket);
        socket.destroy();
        this.closedSinceLog++;
      }
      if (this.closedSinceLog > 0 && now - this.lastLogAt >= LOG_EVERY_MS) {
        this.log(
          `closed ${plural(this.closedSinceLog, 'connection')} holding unread answers, over ${plural(this.max, 'byte')} in all (counted since the last such line)`,
        );
        this.closedSinceLog = 0;
        this.lastLogAt = now;
      }
    });
  }
}

function byteLength(chunk: unknown): number {
  if (typeof chunk === 'string') return Buffer.byteLength(chunk);
  if (chunk instanceof Uint8Array) return chunk.byteLength;
  return 0;
}

type Fetch<E> = (req: Request, env: E) => Response | Promise<Response>;

/** Counts every answer of `fetch` in `unsent` (an HTTP/1 connection's; HTTP/2 is not served). */
export function countUnsentAnswers<E extends { incoming: { socket: Socket }; outgoing: unknown }>(
  fetch: Fetch<E>,
  unsent: UnsentAnswers,
): Fetch<E> {
  return (req, env) => {
    unsent.track(env.incoming.socket, env.outgoing as Outgoing);
    return fetch(req, env);
  };
}
