import { AppError } from '@gasgauge/core';

/**
 * Reads in rotation on one event loop. Without it, requests run in the order they arrived: a user
 * looping an expensive read from 8 connections has 8 reads queued ahead of anyone else's, so another
 * user's read waits for all of them (seconds on a big town) while the greedy user's bucket still holds
 * its burst. Here each principal's reads wait in its own queue and the loop grants one at a time, going
 * round the principals (a round: TURN_QUANTUM_MS of loop time, at least one read): a read waits for about one
 * round of each other busy principal.
 *
 * A turn ends at the loop's next check phase (`setImmediate`): the granted request's synchronous work
 * runs in the microtasks after its grant, and the requests that arrived meanwhile have been read and
 * queued by then. One that awaits real I/O first only loses its place, never blocks the others.
 *
 * A read whose client went away while it waited leaves its queue at once and never runs: otherwise a
 * client that sent reads and dropped them, again and again, while its budget still looked full (reads are
 * charged when they run), queued work without bound, past its connections. A principal has at most
 * MAX_WAITING_READS waiting; past them a read is refused (429) rather than queued.
 */
/**
 * Loop time since a principal's round began (its reads, and whatever else the loop ran meanwhile) after
 * which the next principal's turn comes: the web UI's batch of cheap reads (a few ms each) goes in one
 * round, while expensive reads go one a round.
 */
export const TURN_QUANTUM_MS = 20;
/**
 * Reads one principal may have waiting for their turn: a browser's six connections of full tRPC batches
 * (MAX_TRPC_BATCH) fit, with room for a second tab.
 */
export const MAX_WAITING_READS = 128;

/** A read waiting for its turn. */
interface Waiter {
  grant(): void;
}

export class ReadTurns {
  /** Principals with reads waiting, in rotation order (a Map keeps insertion order); each its FIFO. */
  private readonly waiting = new Map<string, Waiter[]>();
  /**
   * The principal served last, with its reads still waiting: it rejoins the rotation only at the next
   * grant, behind whoever arrived during its turn (so a newcomer is next, not after one more of its reads).
   */
  private served: { principal: string; queue: Waiter[]; since: number } | undefined;
  private busy = false;

  /** `now`: the loop's clock (performance.now; a test's own, so a machine's preemptions are not read as work). */
  constructor(private readonly now: () => number = () => performance.now()) {}

  /**
   * Resolves when the principal's read may run: at once when no read holds the loop's turn. Rejects
   * (`cancelled`) if `signal` aborts first, the read then out of the queue; and (`too_many_requests`) when
   * the principal already has MAX_WAITING_READS waiting.
   */
  turn(principal: string, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(cancelled());
    if (!this.busy) {
      this.busy = true;
      this.served = { principal, queue: [], since: this.now() };
      setImmediate(this.next);
      return Promise.resolve();
    }
    const queue = this.queueOf(principal);
    if ((queue?.length ?? 0) >= MAX_WAITING_READS) {
      return Promise.reject(
        new AppError('too_many_requests', `too many of your reads are waiting (at most ${MAX_WAITING_READS}); retry in 1 s`),
      );
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { grant: resolve };
      if (signal) {
        const drop = () => {
          this.remove(principal, waiter);
          reject(cancelled());
        };
        signal.addEventListener('abort', drop, { once: true });
        waiter.grant = () => {
          signal.removeEventListener('abort', drop);
          resolve();
        };
      }
      if (queue) queue.push(waiter);
      else this.waiting.set(principal, [waiter]);
    });
  }

  /** Reads waiting now, of every principal (the tests' window on the queues). */
  get waitingCount(): number {
    let n = this.served?.queue.length ?? 0;
    for (const queue of this.waiting.values()) n += queue.length;
    return n;
  }

  private queueOf(principal: string): Waiter[] | undefined {
    return this.served?.principal === principal ? this.served.queue : this.waiting.get(principal);
  }

  private remove(principal: string, waiter: Waiter): void {
    const queue = this.queueOf(principal);
    const at = queue?.indexOf(waiter) ?? -1;
    if (!queue || at < 0) return;
    queue.splice(at, 1);
    if (queue.length === 0 && this.waiting.get(principal) === queue) this.waiting.delete(principal);
  }

  /**
   * Grants the next read: the principal served last again while its round is under TURN_QUANTUM_MS,
   * else the first principal in rotation. Idle when none wait.
   */
  private readonly next = (): void => {
    const served = this.served;
    if (served) {
      if (served.queue.length > 0 && this.now() - served.since < TURN_QUANTUM_MS) {
        (served.queue.shift() as Waiter).grant();
        setImmediate(this.next);
        return;
      }
      if (served.queue.length > 0) this.waiting.set(served.principal, served.queue);
      this.served = undefined;
    }
    const first = this.waiting.entries().next();
    if (first.done) {
      this.busy = false;
      return;
    }
    const [principal, queue] = first.value;
    this.waiting.delete(principal);
    this.served = { principal, queue, since: this.now() };
    (queue.shift() as Waiter).grant();
    setImmediate(this.next);
  };
}

const cancelled = () => new AppError('cancelled', 'the client closed the request before its turn to read');
